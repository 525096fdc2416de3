/** Luma of an RGB pixel with MATLAB `rgb2gray`'s weights (ITU-R BT.601), as the paper's grayscale inputs. */
export function luma(r: number, g: number, b: number): number {
  return Math.round(0.2989 * r + 0.587 * g + 0.114 * b);
}
