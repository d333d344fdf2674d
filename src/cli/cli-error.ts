// Errors the CLI prints as one clear line (no stack), with exit code 2 for usage and 1 otherwise.
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
