/** Linear cost of a decode-only iteration in the total context C (see PerfModel.decodeLinearCost). */
export interface DecodeLinearCost {
  /** GPU seconds at C = 0. */
  readonly fixedS: number;
  /** GPU seconds per context token. */
  readonly perContextTokenS: number;
  /** FLOPs at C = 0 and per context token (whole replica). */
  readonly flops0: number;
  readonly flops1: number;
  /** Device-memory bytes at C = 0 and per context token (whole replica). */
  readonly bytes0: number;
  readonly bytes1: number;
}
