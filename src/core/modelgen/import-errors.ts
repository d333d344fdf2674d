// Every way a Hugging Face folder can fail to import is an HfImportError whose message names the file, the
// config field or the tensor involved and says what to do.

export class HfImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HfImportError';
  }
}
