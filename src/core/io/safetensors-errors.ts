// One error class per way a safetensors file can be wrong, so callers (and tests) can tell them apart.
// Every message names the file and, where one is involved, the tensor.

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The u64 header length is beyond what any real header needs (the reference reader's limit). */
export class SafetensorsHeaderTooLargeError extends SafetensorsError {}

/** The file ends before its header, or before the data its header promises. */
export class SafetensorsTruncatedError extends SafetensorsError {}

/** The header is not UTF-8 JSON of the form {name: {dtype, shape, data_offsets}, __metadata__?: {str: str}}. */
export class SafetensorsHeaderJsonError extends SafetensorsError {}

/** data_offsets run backwards, overlap another tensor, leave a gap, or the data has bytes past the last tensor. */
export class SafetensorsOffsetError extends SafetensorsError {}

/** A tensor's byte range does not hold prod(shape) elements of its dtype. */
export class SafetensorsDtypeSizeError extends SafetensorsError {}

/** A tensor handed to the writer does not match its declared dtype or shape. */
export class SafetensorsWriteError extends SafetensorsError {}
