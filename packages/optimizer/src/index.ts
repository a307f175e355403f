export { minimize, type NelderMeadOptions, type NelderMeadResult, nelderMead } from './nelder-mead';
