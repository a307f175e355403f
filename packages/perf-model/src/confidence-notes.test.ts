import { confidenceNotes, createPerfModel, kvSwapSeconds } from '@sim/perf-model';
import { resolveConfig } from '@sim/specs';
import { describe, expect, it } from 'vitest';

const notesFor = (config: Parameters<typeof resolveConfig>[0], calibration: string[] = []) => {
  const resolved = resolveConfig(config);
  return confidenceNotes(resolved, createPerfModel(resolved), calibration);
};

describe('confidenceNotes', () => {
  it('says nothing for a profiled GPU, a fitted engine and a dense bf16 model in the profiled range', () => {
    expect(
      notesFor({ modelSpec: { name: 'llama-2-7b' }, clusterSpec: { gpuSpec: { name: 'A100-80GB' } } }),
    ).toEqual([]);
  });

  it('names what is extrapolated: MoE routing, quantized kernels, sizes outside 6–73B, an unfitted engine', () => {
    const moe = notesFor({
      modelSpec: { name: 'mixtral-8x7b' },
      clusterSpec: { gpuSpec: { name: 'H100' }, nGpusPerNode: 2 },
      parallelismSpec: { tensorParallelSize: 2 },
    });
    expect(moe.join('\n')).toMatch(/mixture-of-experts routing is modelled as uniform/);
    const int8 = notesFor({
      modelSpec: { name: 'llama-2-7b', weightDtype: 'int8' },
      clusterSpec: { gpuSpec: { name: 'A100-80GB' } },
    });
    expect(int8.join('\n')).toMatch(
      /int8 weight-only GEMMs: the dequantization efficiency is fitted to gpt-fast/,
    );
    const oss = notesFor({ modelSpec: { name: 'gpt-oss-120b' }, clusterSpec: { gpuSpec: { name: 'H100' } } });
    expect(oss.join('\n')).toMatch(/mxfp4 weights: dequantized at the 16-bit rate with the int4/);
    expect(oss.join('\n')).toMatch(/18 of 36 layers attend locally \(a 128-token window\)/);
    expect(oss.join('\n')).not.toMatch(/fp8|int8/);
    const fp8 = (gpu: string) =>
      notesFor({
        modelSpec: { name: 'llama-3.1-8b', weightDtype: 'fp8' },
        clusterSpec: { gpuSpec: { name: gpu } },
      });
    expect(fp8('H100').join('\n')).toMatch(
      /fp8 weights: GEMMs at the FP8 peak × 0.88, the ratio measured on an H200 \(cuBLAS\);/,
    );
    expect(fp8('L40S').join('\n')).toMatch(/measured on an H200 \(cuBLAS\), assumed for L40S/);
    const scout = notesFor({
      modelSpec: { name: 'llama-4-scout' },
      clusterSpec: { gpuSpec: { name: 'H100' }, nGpusPerNode: 4 },
      parallelismSpec: { tensorParallelSize: 4 },
    });
    expect(scout.join('\n')).toMatch(
      /36 of 48 layers attend locally \(chunks of 8192 tokens, costed as a sliding window/,
    );
    const large = notesFor({
      modelSpec: { name: 'llama-3.1-405b' },
      clusterSpec: { gpuSpec: { name: 'H200' }, nGpusPerNode: 8 },
      parallelismSpec: { tensorParallelSize: 8 },
    });
    expect(large.join('\n')).toMatch(/B parameters is outside the 6–73B range of the kernel profiles/);
    const sglang = notesFor({
      modelSpec: { name: 'llama-2-7b' },
      clusterSpec: { gpuSpec: { name: 'A100-80GB' } },
      engineProfile: 'sglang',
    });
    expect(sglang.join('\n')).toMatch(/engine profile "sglang" is not fitted to measurements/);
  });

  it("puts a calibration file's notes right after the kernel-profile note", () => {
    const notes = notesFor(
      { modelSpec: { name: 'llama-2-7b' }, clusterSpec: { gpuSpec: { name: 'RTX-4090' } } },
      ['calibrated elsewhere'],
    );
    expect(notes[1]).toBe('calibrated elsewhere');
    expect(notes[0]).toMatch(/RTX-4090|extrapolat|profile/i);
  });
});

describe('kvSwapSeconds', () => {
  it('moves blocks × bytes per block over the host link', () => {
    expect(kvSwapSeconds({ kvBytesPerToken: 524_288, blockSize: 16 }, 32, 100)).toBeCloseTo(
      (100 * 524_288 * 16) / 32e9,
      15,
    );
    expect(kvSwapSeconds({ kvBytesPerToken: 524_288, blockSize: 16 }, 32, 0)).toBe(0);
  });
});
