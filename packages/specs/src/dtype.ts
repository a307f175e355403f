/**
 * Numeric formats for weights and the KV cache.
 * - `bf16`, `fp16`: 2 bytes per element, computed at the GPU's dense BF16/FP16 rate.
 * - `fp8`: 1 byte; computed at the GPU's FP8 rate where the GPU has one (Hopper and later). Its
 *   per-tensor, per-channel or 128×128-block scales are under 0.03% of the bytes and not counted.
 * - `int8`, `int4`: weight-only quantization; activations stay 16-bit, so GEMMs run at the 16-bit
 *   rate but read fewer weight bytes. int8 keeps per-channel scales (not counted); int4 counts one
 *   16-bit scale per group of 128 weights (GPTQ's and AWQ's default), 0.5 + 2/128 bytes.
 * - `mxfp4`: OCP microscaling FP4 (gpt-oss experts): 4-bit E2M1 values with one 8-bit E8M0 scale
 *   per block of 32, 0.5 + 1/32 bytes. Weight-only like int4: no GPU profile here has an FP4 rate.
 */
export type Dtype = 'bf16' | 'fp16' | 'fp8' | 'int8' | 'int4' | 'mxfp4';

/** Every supported {@link Dtype}. */
export const DTYPES: readonly Dtype[] = ['bf16', 'fp16', 'fp8', 'int8', 'int4', 'mxfp4'];

/** Weight-only quantized formats: dequantized in the GEMM, computed at the 16-bit rate. */
export type WeightOnlyDtype = 'int8' | 'int4' | 'mxfp4';

/** True for a weight-only quantized format ({@link WeightOnlyDtype}). */
export function isWeightOnly(dtype: Dtype): dtype is WeightOnlyDtype {
  return dtype === 'int8' || dtype === 'int4' || dtype === 'mxfp4';
}

/** Bytes per element of each dtype, block scales included (see {@link Dtype}). */
export const DTYPE_BYTES: Readonly<Record<Dtype, number>> = {
  bf16: 2,
  fp16: 2,
  fp8: 1,
  int8: 1,
  int4: 0.5 + 2 / 128,
  mxfp4: 0.5 + 1 / 32,
};
