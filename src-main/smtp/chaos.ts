/** One of Mailpit's chaos triggers: the SMTP error code to answer, and how often (percent). */
export interface ChaosTrigger {
  ErrorCode: number;
  Probability: number;
}

export type ChaosStage = 'Sender' | 'Recipient' | 'Authentication';
export type ChaosTriggers = Record<ChaosStage, ChaosTrigger>;

export const CHAOS_STAGES: ChaosStage[] = ['Authentication', 'Recipient', 'Sender'];

const DEFAULT_TRIGGER: ChaosTrigger = { ErrorCode: 451, Probability: 0 };

/**
 * Mailpit's chaos: SMTP answers an error on purpose at AUTH, MAIL FROM or RCPT TO, with a probability, so a developer
 * sees how their app copes with a 451 or a 550. Only with `--enable-chaos`; every trigger is off (0%) at start.
 */
export class Chaos {
  readonly enabled: boolean;
  #triggers: ChaosTriggers = {
    Sender: DEFAULT_TRIGGER,
    Recipient: DEFAULT_TRIGGER,
    Authentication: DEFAULT_TRIGGER,
  };
  readonly #random: () => number;

  constructor(enabled: boolean, random: () => number = Math.random) {
    this.enabled = enabled;
    this.#random = random;
  }

  get triggers(): ChaosTriggers {
    return { ...this.#triggers };
  }

  /** Whether any trigger can fire now. */
  get active(): boolean {
    return this.enabled && CHAOS_STAGES.some((s) => this.#triggers[s].Probability > 0);
  }

  /** Sets the triggers given; the ones left out go back to 0% (as Mailpit does). */
  set(triggers: Partial<ChaosTriggers>): ChaosTriggers {
    this.#triggers = {
      Sender: triggers.Sender ?? DEFAULT_TRIGGER,
      Recipient: triggers.Recipient ?? DEFAULT_TRIGGER,
      Authentication: triggers.Authentication ?? DEFAULT_TRIGGER,
    };
    return this.triggers;
  }

  /** The error to answer at this stage now, or undefined to go on as usual. */
  fire(stage: ChaosStage): Error | undefined {
    if (!this.enabled) return undefined;
    const { ErrorCode, Probability } = this.#triggers[stage];
    if (Probability <= 0 || this.#random() * 100 >= Probability) return undefined;
    const enhanced = ErrorCode >= 500 ? '5.0.0' : '4.0.0';
    return Object.assign(new Error(`${enhanced} Chaos: ${stage} error triggered on purpose`), {
      responseCode: ErrorCode,
    });
  }
}
