// Named failures of `thanora merge`, one per cause, so the CLI and the extension can tell them apart.
export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The checkpoint, run folder, adapter or base model is missing or unreadable. */
export class MergeInputError extends MergeError {}

/** The adapter does not fit the base model: no matching module, a missing initializer, a shape or dtype mismatch. */
export class MergeMismatchError extends MergeError {}

/** The output would overwrite the base model or its data, or a merged weight is not finite. */
export class MergeOutputError extends MergeError {}
