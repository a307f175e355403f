import type { Sequence } from '@sim/scheduler';
import type { Sessions, ThinkTime, TurnCount } from '@sim/specs';
import { type Arrival, sessionArrival } from './arrival';
import { type DistributionSummary, Samples } from './distribution';
import { exponential, type RandomSource } from './random-streams';
import { hitRate } from './stage-statistics';

/** What `statistics.sessions` reports (present only with `workloadSpec.sessions`; see docs/metrics.md). */
export interface SessionStatistics {
  /** Sessions started (first turns that arrived). */
  readonly started: number;
  /** Sessions whose every turn completed. */
  readonly completed: number;
  /** Sessions that ended at a turn that failed (rejected, or timed out). */
  readonly failed: number;
  /** Follow-up turns (the second and later of a session) that arrived. */
  readonly followUpTurns: number;
  /** Time to first token of completed first turns (arriving after the warm-up), seconds. */
  readonly firstTurnFirstTokenLatency: DistributionSummary;
  /** Time to first token of completed follow-up turns (arriving after the warm-up), seconds. */
  readonly followUpFirstTokenLatency: DistributionSummary;
  /** As the overall `prefixCacheHitRate`, over the measured follow-up turns. */
  readonly followUpPrefixCacheHitRate: number;
}

/** One session: what its next turn resends, and how many turns are left. */
interface OpenSession {
  readonly prefixGroup: number;
  /** Turns still to send after the latest one. */
  turnsLeft: number;
  /** The latest turn sent: its position, prompt and answer lengths. */
  turn: number;
  input: number;
  output: number;
}

/** A draw of {@link TurnCount}: an integer ≥ 1. */
function drawTurns(turns: TurnCount, random: RandomSource): number {
  switch (turns.type) {
    case 'fixed':
      return turns.value;
    case 'uniform':
      return turns.min + Math.min(turns.max - turns.min, Math.floor(random() * (turns.max - turns.min + 1)));
    default: {
      // Geometric on {1, 2, ...} with mean m: success probability 1 / m.
      if (turns.mean <= 1) return 1;
      const failure = 1 - 1 / turns.mean;
      return 1 + Math.floor(Math.log(1 - random()) / Math.log(failure));
    }
  }
}

/** A draw of {@link ThinkTime}, seconds. */
function drawThinkTime(think: ThinkTime, random: RandomSource): number {
  switch (think.type) {
    case 'fixed':
      return think.value;
    case 'uniform':
      return think.min + random() * (think.max - think.min);
    default:
      return exponential(random, think.mean);
  }
}

/** Mean turns per session of a {@link TurnCount}. */
export function meanTurns(turns: TurnCount): number {
  switch (turns.type) {
    case 'fixed':
      return turns.value;
    case 'uniform':
      return (turns.min + turns.max) / 2;
    default:
      return Math.max(1, turns.mean);
  }
}

/**
 * The run's multi-turn sessions (`workloadSpec.sessions`): tags each open-loop arrival as a new
 * session's first turn (drawing its number of turns), and when a turn completes gives the session's
 * next turn: sent after a think time, its prompt the whole conversation so far (the previous prompt
 * and answer) plus a new question. Turn counts and think times come from the run's `sessions`
 * stream, new questions and answers from the caller's length sampler. Observes the sessions'
 * first-token latencies for `statistics.sessions`.
 */
export class SessionTracker {
  private readonly sessions: Sessions;
  private readonly random: RandomSource;
  /** Sessions not over yet, by session id. */
  private readonly open = new Map<number, OpenSession>();
  /** Request id → its session, while the request is in flight. */
  private readonly sessionOf = new Map<number, number>();
  /** Sessions drawn (the next one's id); `started` counts those whose first turn arrived. */
  private drawn = 0;
  private started = 0;
  private completed = 0;
  private failed = 0;
  private followUps = 0;
  private readonly firstTurnTtft = new Samples();
  private readonly followUpTtft = new Samples();
  private followUpPromptTokens = 0;
  private followUpCachedTokens = 0;

  constructor(sessions: Sessions, random: RandomSource) {
    this.sessions = sessions;
    this.random = random;
  }

  /** An open-loop arrival becomes a new session's first turn (drawing its number of turns). */
  startSession(arrival: Arrival): Arrival {
    const session = this.drawn++;
    this.open.set(session, {
      prefixGroup: arrival.prefixGroup,
      turnsLeft: drawTurns(this.sessions.turnsPerSession, this.random) - 1,
      turn: 0,
      input: arrival.input,
      output: arrival.output,
    });
    const { time, input, output, prefixGroup } = arrival;
    return sessionArrival(time, input, output, prefixGroup, session, 0, 0);
  }

  /** Request `id`, a session's turn (`arrival`), arrived. */
  arrived(id: number, arrival: Arrival): void {
    if (arrival.session < 0) return;
    this.sessionOf.set(id, arrival.session);
    if (arrival.turn > 0) this.followUps++;
    else this.started++;
  }

  /** A turn's prefill completed: counts a measured follow-up's prompt and cached tokens. */
  firstToken(sequence: Sequence): void {
    if (!sequence.measured || sequence.sessionContextTokens === 0) return;
    this.followUpPromptTokens += sequence.inputTokens;
    this.followUpCachedTokens += sequence.cachedPromptTokens;
  }

  /**
   * Request `sequence` completed at `time`: records its first-token latency and returns its
   * session's next turn (its new question and answer lengths from `drawLengths`), or undefined
   * when the session is over (or the request was not a session's).
   */
  next(
    sequence: Sequence,
    time: number,
    drawLengths: () => { readonly input: number; readonly output: number },
  ): Arrival | undefined {
    const session = this.sessionOf.get(sequence.id);
    if (session === undefined) return undefined;
    this.sessionOf.delete(sequence.id);
    const open = this.open.get(session);
    if (open === undefined) return undefined;
    if (sequence.measured)
      (open.turn === 0 ? this.firstTurnTtft : this.followUpTtft).push(
        sequence.firstTokenTime - sequence.arrivalTime,
      );
    if (open.turnsLeft <= 0) {
      this.open.delete(session);
      this.completed++;
      return undefined;
    }
    const { input: question, output } = drawLengths();
    const context = open.input + open.output;
    open.turnsLeft--;
    open.turn++;
    open.input = context + question;
    open.output = output;
    return sessionArrival(
      time + drawThinkTime(this.sessions.thinkTimeS, this.random),
      open.input,
      output,
      open.prefixGroup,
      session,
      open.turn,
      context,
    );
  }

  /** Request `id` left without completing (rejected, timed out): its session ends there. */
  failedTurn(id: number): void {
    const session = this.sessionOf.get(id);
    if (session === undefined) return;
    this.sessionOf.delete(id);
    if (this.open.delete(session)) this.failed++;
  }

  /** A session's next turn was not sent (arrivals had stopped): the session ends there. */
  notSent(arrival: Arrival): void {
    this.open.delete(arrival.session);
  }

  /** The sessions' statistics. */
  summarize(): SessionStatistics {
    return {
      started: this.started,
      completed: this.completed,
      failed: this.failed,
      followUpTurns: this.followUps,
      firstTurnFirstTokenLatency: this.firstTurnTtft.summarize(),
      followUpFirstTokenLatency: this.followUpTtft.summarize(),
      followUpPrefixCacheHitRate: hitRate(this.followUpCachedTokens, this.followUpPromptTokens),
    };
  }
}
