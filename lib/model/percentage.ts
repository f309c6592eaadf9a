import { show } from './validate';

/**
 * A share from 0 to 100 percent that may be fractional (`Percentage.of(0.5)`), as Istio's
 * `Percent` takes it for mirroring and fault injection. Route weights, which must be whole, are
 * `Weight`s instead.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#Percent
 */
export class Percentage {
  /**
   * `value` percent.
   *
   * @param value - a number from 0 to 100
   */
  public static of(value: number): Percentage {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) {
      throw new Error(`percentage must be a number between 0 and 100, got ${show(value)}`);
    }
    return new Percentage(value);
  }

  private constructor(
    /** The share, in percent. */
    public readonly value: number,
  ) {}

  /** `12.5%`. */
  public toString(): string {
    return `${this.value}%`;
  }
}
