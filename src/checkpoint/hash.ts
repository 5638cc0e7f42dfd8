// FNV-1a, 32 bits, fed piece by piece: enough to tell a damaged checkpoint or another scenario, not a signature.

export class Fnv1a {
  private hash = 0x811c9dc5;

  /** Feed a text's UTF-16 code units. */
  text(text: string): this {
    let hash = this.hash;
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    this.hash = hash;
    return this;
  }

  /** Feed the bytes of an array of doubles (exact: no text form in between). */
  doubles(values: Float64Array): this {
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    let hash = this.hash;
    for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
    this.hash = hash;
    return this;
  }

  get hex(): string {
    return (this.hash >>> 0).toString(16).padStart(8, '0');
  }
}
