// Frame timing for work that should not delay what a key shows.

/** PAINT_WAIT_MAX_MS bounds afterPaint: a hidden or minimised window paints no frames. */
export const PAINT_WAIT_MAX_MS = 50;

/**
 * afterPaint resolves once the frame now being made has been painted (a
 * task posted from requestAnimationFrame runs after that frame), or after
 * PAINT_WAIT_MAX_MS if no frame comes. Without requestAnimationFrame (tests
 * in Node) it resolves on the next task.
 */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestAnimationFrame !== 'function') {
      setTimeout(resolve, 0);
      return;
    }
    const timer = setTimeout(resolve, PAINT_WAIT_MAX_MS);
    requestAnimationFrame(() => {
      setTimeout(() => {
        clearTimeout(timer);
        resolve();
      }, 0);
    });
  });
}
