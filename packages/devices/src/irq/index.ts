/**
 * Interrupt lines between devices and the VMM's interrupt controller.
 *
 * A device drives an {@link IrqLine} the way the chip drives its INTR pin: high while it has an
 * enabled interrupt pending, low otherwise. The VMM implements the line with `KVM_IRQ_LINE` on the
 * in-kernel irqchip (PIC + IOAPIC), whose pin for an ISA IRQ is edge-triggered: the rising edge is
 * what the guest sees, and a device lowers its line when the source is cleared so that the next
 * interrupt is a new edge. {@link IrqLevel} forwards only changes, so a device can recompute its
 * level after every register access without issuing an ioctl each time; {@link pulse} gives an
 * edge for devices that signal events rather than states. A device driven from several threads
 * keeps its level in its shared state (the `level` cell), so every thread's instance agrees on
 * the edge.
 */

/** One interrupt input of the interrupt controller, as seen by a device. */
export interface IrqLine {
  /** Drives the line: `true` asserts it, `false` deasserts it. */
  setLevel(high: boolean): void;
}

/** An {@link IrqLine} that goes nowhere (a device built without an interrupt). */
export const NO_IRQ: IrqLine = { setLevel() {} };

/** Raises and lowers `line`: one rising edge, for edge-triggered inputs. */
export function pulse(line: IrqLine): void {
  line.setLevel(true);
  line.setLevel(false);
}

/** The current level of a device's interrupt output; calls the line only when the level changes. */
export class IrqLevel {
  readonly #line: IrqLine;
  readonly #cell: Int32Array;
  readonly #index: number;

  /** `cell[index]` holds the level (0 or 1); by default a private cell, low. */
  constructor(line: IrqLine | undefined, cell: Int32Array = new Int32Array(1), index = 0) {
    this.#line = line ?? NO_IRQ;
    this.#cell = cell;
    this.#index = index;
  }

  /** The level last driven. */
  get high(): boolean {
    return this.#cell[this.#index] !== 0;
  }

  /** Drives the line to `high` if that is a change. */
  set(high: boolean): void {
    if (high === this.high) return;
    this.#cell[this.#index] = high ? 1 : 0;
    this.#line.setLevel(high);
  }
}
