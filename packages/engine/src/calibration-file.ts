import { type EngineProfile, engineProfileNamed } from '@sim/perf-model';
import { findGpuPreset, type ResolvedConfig, readCalibrationFile } from '@sim/specs';

/**
 * The engine profile of a config with a `calibrationFile` (written by `llm-sim calibrate`): the
 * file's base profile with its fitted parameters; undefined without one (the named profile is used).
 * Throws the reader's ConfigError when the file is missing or not a calibration profile.
 */
export function calibratedEngineProfile(config: ResolvedConfig): EngineProfile | undefined {
  const path = config.calibrationFile;
  if (path === undefined) return undefined;
  const file = readCalibrationFile(path);
  const base = engineProfileNamed(file.baseProfile);
  const { fittedOn } = file;
  return {
    ...base,
    ...file.parameters,
    calibrated: true,
    source: `fitted by llm-sim calibrate from ${base.name} to ${fittedOn.file} (${fittedOn.requests} requests, ${fittedOn.model}, TP ${fittedOn.tp}, on ${file.gpu}); calibration file ${path}`,
  };
}

/**
 * Confidence notes of a calibrated run: its GPU differs from the one the calibration was measured
 * on (engine overheads and efficiency multipliers are properties of the engine on that GPU).
 */
export function calibrationNotes(config: ResolvedConfig): string[] {
  const path = config.calibrationFile;
  if (path === undefined) return [];
  const file = readCalibrationFile(path);
  const canonical = (name: string) => findGpuPreset(name)?.name ?? name;
  const gpu = config.clusterSpec.gpuSpec.name;
  return canonical(gpu) === canonical(file.gpu)
    ? []
    : [
        `calibration file ${path} was fitted on ${file.gpu}, this run is on ${gpu}: its engine parameters (CPU overhead, efficiency multipliers) may not carry over to another GPU`,
      ];
}
