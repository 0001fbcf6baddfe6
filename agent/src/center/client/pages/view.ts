/** A page of the center as the browser draws it; the pages are listed in ./table.ts and registered in ./index.ts. */
export interface PageView {
  /** Draws the page into `main` from the shared state; `redraw` asks for it again (after the user picked something). */
  render(main: HTMLElement, redraw: () => void): void;
  /** What the page needs beside events and boxes, fetched each time the live feed (re)connects. */
  load?(): Promise<void>;
  /** Redrawn when a box's status or health changes (every page is redrawn when an event changes). */
  followsBoxes?: boolean;
  /** Redrawn when a work order or a patrol unit changes (the live feed's `order` and `unit`, kept in desk/live.ts). */
  followsPatrol?: boolean;
  /** Redrawn every 10 s: it shows times (since dispatch, since last contact) that move on their own. */
  ticks?: boolean;
}
