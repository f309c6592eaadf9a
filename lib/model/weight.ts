import { checkInteger } from './validate';

/**
 * A share of traffic, a whole percentage from 0 to 100.
 *
 * Istio takes route weights as whole numbers; a weight type that cannot hold 120 or 12.5 keeps
 * such values from ever reaching a VirtualService.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRouteDestination
 */
export class Weight {
  /** No traffic. */
  public static readonly NONE = new Weight(0);
  /** All traffic. */
  public static readonly ALL = new Weight(100);

  /**
   * A weight of `percent` percent.
   *
   * @param percent - a whole number from 0 to 100
   */
  public static percent(percent: number): Weight {
    return new Weight(checkInteger('weight', percent, 0, 100));
  }

  private constructor(
    /** The weight as a whole percentage. */
    public readonly percent: number,
  ) {}

  /** The rest of the traffic: `100 - percent`. */
  public complement(): Weight {
    return new Weight(100 - this.percent);
  }

  /** `20%`. */
  public toString(): string {
    return `${this.percent}%`;
  }
}
