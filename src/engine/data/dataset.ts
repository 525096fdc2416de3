/**
 * In-memory datasets. Images are kept as bytes (0–255, row-major, one image
 * after another) and scaled to [0, 1] only when a batch is assembled, which
 * keeps even CIFAR-10 in RGB under 200 MB.
 */
export interface Split {
  /** `count × inputSize` bytes. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  name: string;
  inputSize: number;
  classes: number;
  train: Split;
  test: Split;
  /** Where the data came from (files or package), for the run record. */
  source: string;
  /** Anything a user should know about how the data was read. */
  notes: string[];
}

/** First `limit` samples of a split (no copy). */
export function limitSplit(s: Split, inputSize: number, limit: number | undefined): Split {
  if (limit === undefined || limit >= s.count) return s;
  return { images: s.images.subarray(0, limit * inputSize), labels: s.labels.subarray(0, limit), count: limit };
}

/** Per-class sample counts, useful for a quick sanity check of labels. */
export function classCounts(s: Split, classes: number): number[] {
  const c = new Array<number>(classes).fill(0);
  for (let i = 0; i < s.count; i++) c[s.labels[i]]++;
  return c;
}
