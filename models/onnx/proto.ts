/**
 * Just enough Protocol Buffers to write and read ONNX files: varints, length-delimited fields,
 * 32-bit floats. Readers check every length against the buffer, so a truncated or foreign file
 * fails cleanly instead of reading garbage.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class ProtoWriter {
  /** Output so far: pending small bytes, flushed into chunks before each large block. */
  private chunks: Uint8Array[] = [];
  private pending: number[] = [];
  private length = 0;

  private varintRaw(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.pending.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.pending.push(Number(v));
  }

  private flush(): void {
    if (this.pending.length > 0) {
      this.chunks.push(Uint8Array.from(this.pending));
      this.length += this.pending.length;
      this.pending = [];
    }
  }

  private tag(field: number, wire: number): void {
    this.varintRaw((field << 3) | wire);
  }

  /** An int32/int64/enum field. */
  int(field: number, value: number | bigint): this {
    this.tag(field, 0);
    this.varintRaw(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, 5);
    this.pending.push(...new Uint8Array(new Float32Array([value]).buffer));
    return this;
  }

  bytesField(field: number, data: Uint8Array): this {
    this.tag(field, 2);
    this.varintRaw(data.length);
    this.flush();
    this.chunks.push(data.slice());
    this.length += data.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytesField(field, encoder.encode(value));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytesField(field, inner.finish());
  }

  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

export class ProtoError extends Error {}

/** One decoded field: varint (as bigint), 32/64-bit (raw bytes) or length-delimited bytes. */
export interface ProtoField {
  field: number;
  wire: number;
  varint?: bigint;
  data?: Uint8Array;
}

/** Decodes the top level of a message; nested messages are decoded on demand. */
export function decodeMessage(buf: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let i = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= buf.length) throw new ProtoError("truncated varint");
      const b = buf[i++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new ProtoError("varint too long");
    }
  };
  while (i < buf.length) {
    const key = readVarint();
    const field = Number(key >> 3n), wire = Number(key & 7n);
    if (field === 0) throw new ProtoError("field number 0");
    if (wire === 0) fields.push({ field, wire, varint: readVarint() });
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (i + n > buf.length) throw new ProtoError("truncated fixed-size field");
      fields.push({ field, wire, data: buf.subarray(i, i + n) });
      i += n;
    } else if (wire === 2) {
      const len = Number(readVarint());
      if (i + len > buf.length) throw new ProtoError(`field ${field} claims ${len} bytes, only ${buf.length - i} left`);
      fields.push({ field, wire, data: buf.subarray(i, i + len) });
      i += len;
    } else {
      throw new ProtoError(`unsupported wire type ${wire}`);
    }
  }
  return fields;
}

export function fieldString(f: ProtoField): string {
  return decoder.decode(f.data);
}
