/**
 * Numeric formats for weights and the KV cache.
 * - `bf16`, `fp16`: 2 bytes per element, computed at the GPU's dense BF16/FP16 rate.
 * - `fp8`: 1 byte; computed at the GPU's FP8 rate where the GPU has one (Hopper and later).
 * - `int8`, `int4`: weight-only quantization (1 and 0.5 bytes); activations stay 16-bit, so GEMMs
 *   run at the 16-bit rate but read fewer weight bytes.
 */
export type Dtype = 'bf16' | 'fp16' | 'fp8' | 'int8' | 'int4';

/** Every supported {@link Dtype}. */
export const DTYPES: readonly Dtype[] = ['bf16', 'fp16', 'fp8', 'int8', 'int4'];

/** Bytes per element of each dtype. int4 packs two values per byte. */
export const DTYPE_BYTES: Readonly<Record<Dtype, number>> = {
  bf16: 2,
  fp16: 2,
  fp8: 1,
  int8: 1,
  int4: 0.5,
};
