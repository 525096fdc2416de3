/**
 * Hardware-aware training in a run (`transform.hardwareAwareFrom`): which
 * device the batches train through, when the epoch's chip view is solved,
 * and what a checkpoint keeps of it. The step itself is train/hardwareAware.ts.
 *
 * The view of epoch e is solved from the network as epoch e − 1 left it
 * (masks re-applied, clusters as the schedule holds them), mapped as the run's
 * mode maps it at the run's crossbar size, placed as `hardware.placement`
 * says; a checkpoint carries it, so a run stopped mid-epoch resumes through
 * the same view.
 */
import type { ExperimentConfig } from '../config/schema';
import { UserError } from '../core/errors';
import type { Crossbar } from '../format/mapping';
import { parseIdeal, simulatedDevice, type Device } from '../hardware/device';
import { placeNetwork } from '../hardware/placement';
import { loadPreset, withDeviceOverrides } from '../hardware/presets';
import type { ForwardWeights, MaskedMLP } from '../model/mlp';
import { effectiveWeights, hardwareView, injects, type HardwareView } from '../train/hardwareAware';
import { mapLayers, schemesFor } from '../transform/mapping/network';
import type { TransformSchedule } from '../transform/schedule';

export class HardwareAwareRun {
  view?: HardwareView;
  private readonly buffers: Float32Array[] = [];

  private constructor(
    readonly from: number,
    readonly device: Device,
    private readonly config: Readonly<ExperimentConfig>,
  ) {}

  /** The run's hardware-aware training, or undefined when it has none (off, or every non-ideality left out). */
  static of(config: Readonly<ExperimentConfig>, baseDir: string): HardwareAwareRun | undefined {
    const t = config.transform;
    if (!t.hardwareAwareFrom) return undefined;
    const off = parseIdeal(t.hardwareAwareOff as string[], 'transform.hardwareAwareOff');
    const preset = withDeviceOverrides(loadPreset(config.hardware.preset, baseDir), config.hardware.device, 'hardware.device');
    if (preset.fields.bitsPerCell === undefined) throw new UserError('transform.hardwareAwareFrom', `needs a preset with bitsPerCell (${preset.file} has none)`);
    const dev = simulatedDevice(preset.device, preset.fields.bitsPerCell.value, undefined, preset.file, off);
    // Every non-ideality left out: plain training, exactly.
    return injects(dev) ? new HardwareAwareRun(t.hardwareAwareFrom, dev, config) : undefined;
  }

  /** Whether epoch `e` trains through the chip. */
  covers(e: number): boolean {
    return e >= this.from && e <= this.config.training.epochs;
  }

  /** Solve the view from the network as it stands; returns the seconds it took. */
  solve(model: MaskedMLP, schedule: TransformSchedule): number {
    const t0 = performance.now();
    const layers = this.config.network.layers;
    const size = this.config.transform.crossbar;
    const masks = model.exportMasks();
    const weights = model.exportWeights().map((w, l) => Float32Array.from(w, (v, i) => (masks[l][i] ? v : 0)));
    const conn = masks.map((map, l) => ({ rows: layers[l + 1], cols: layers[l], map, clusters: schedule.state[l]?.clusters ?? [] }));
    let mapping: Crossbar[][] = mapLayers(schemesFor(this.config.transform.mode).shown, conn, size).layers.map((m) => m.crossbars);
    if (this.config.hardware.placement === 'ir-aware') mapping = placeNetwork(layers, weights, mapping, size, this.device).mapping;
    this.view = hardwareView(layers, weights, mapping, size, this.device);
    return (performance.now() - t0) / 1000;
  }

  /** The batches' effective weights through the current view. */
  forward(): ForwardWeights {
    return (W, seed) => effectiveWeights(W, this.view!, this.device, seed, this.buffers);
  }
}
