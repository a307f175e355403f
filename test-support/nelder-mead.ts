/**
 * The Nelder–Mead optimizer now lives in @sim/calibration (`src/nelder-mead.ts`, tested there);
 * this re-export keeps the scripts that import it from test-support working (pnpm calibrate,
 * fit-engines). It names the module's file rather than the package because test-support is not a
 * package (it cannot resolve `@sim/calibration` from its own folder) and because
 * @sim/perf-model's calibrate script must not pull in @sim/calibration, which depends on it.
 */
export {
  minimize,
  type NelderMeadOptions,
  type NelderMeadResult,
  nelderMead,
} from '../packages/calibration/src/nelder-mead';
