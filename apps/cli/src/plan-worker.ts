import { type Candidate, type CandidateEvaluation, evaluateCandidate, type PlanRequest } from '@sim/engine';

/** Tinypool worker entry: the rate search of one candidate deployment. */
export default function evaluatePlanCandidate(task: {
  request: PlanRequest;
  candidate: Candidate;
}): CandidateEvaluation {
  return evaluateCandidate(task.request, task.candidate);
}
