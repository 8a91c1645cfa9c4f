// Two fingers' minutiae on one canvas: the probe laid onto the enrolled finger with the matcher's transform, the
// pairs it counted joined, the minutiae it left unpaired in grey. Endings are circles, bifurcations squares,
// the tick is the minutia's direction. A table lists the same pairs for keyboard and screen-reader users.
import { useEffect, useRef } from 'preact/hooks';
import type { FingerComparison } from '../types.ts';

type Finger = FingerComparison['fingers'][number];
const COLOURS = { probe: '#0a58ca', enrolled: '#b45309', pair: '#15803d', unpaired: '#9ca3af' };

interface Mark { x: number; y: number; angle: number; type: string }

function draw(canvas: HTMLCanvasElement, f: Finger) {
  const { rotation, tx, ty } = f.transform;
  const c = Math.cos(rotation), s = Math.sin(rotation);
  // Probe into the enrolled finger's frame; directions turn opposite to positions (y down, angles CCW).
  const probe: Mark[] = f.probe.minutiae.map((m) => ({ x: c * m.x - s * m.y + tx, y: s * m.x + c * m.y + ty, angle: m.angle - rotation, type: m.type }));
  const enrolled: Mark[] = f.enrolled.minutiae;
  const all = [...probe, ...enrolled];
  const pad = 16;
  const minX = Math.min(...all.map((m) => m.x)), maxX = Math.max(...all.map((m) => m.x));
  const minY = Math.min(...all.map((m) => m.y)), maxY = Math.max(...all.map((m) => m.y));
  const cssW = canvas.parentElement?.clientWidth ?? 480;
  const scale = Math.min((cssW - 2 * pad) / Math.max(1, maxX - minX), 560 / Math.max(1, maxY - minY), 2.5);
  const cssH = (maxY - minY) * scale + 2 * pad;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(cssW * dpr);
  canvas.height = Math.round(cssH * dpr);
  canvas.style.width = `${cssW}px`;
  canvas.style.height = `${cssH}px`;
  const g = canvas.getContext('2d')!;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.fillStyle = '#fff';
  g.fillRect(0, 0, cssW, cssH);
  const X = (x: number) => pad + (x - minX) * scale, Y = (y: number) => pad + (y - minY) * scale;
  const pairedP = new Set(f.pairs.map(([i]) => i)), pairedE = new Set(f.pairs.map(([, j]) => j));
  g.lineWidth = 2;
  g.strokeStyle = COLOURS.pair;
  for (const [i, j] of f.pairs) {
    g.beginPath();
    g.moveTo(X(probe[i].x), Y(probe[i].y));
    g.lineTo(X(enrolled[j].x), Y(enrolled[j].y));
    g.stroke();
  }
  const mark = (m: Mark, colour: string) => {
    const x = X(m.x), y = Y(m.y), r = 4;
    g.strokeStyle = colour;
    g.lineWidth = 1.6;
    g.beginPath();
    if (m.type === 'bifurcation') g.rect(x - r, y - r, 2 * r, 2 * r);
    else g.arc(x, y, r, 0, 2 * Math.PI);
    g.moveTo(x + r * Math.cos(m.angle), y - r * Math.sin(m.angle));
    g.lineTo(x + 14 * Math.cos(m.angle), y - 14 * Math.sin(m.angle));
    g.stroke();
  };
  probe.forEach((m, i) => { if (!pairedP.has(i)) mark(m, COLOURS.unpaired); });
  enrolled.forEach((m, j) => { if (!pairedE.has(j)) mark(m, COLOURS.unpaired); });
  probe.forEach((m, i) => { if (pairedP.has(i)) mark(m, COLOURS.probe); });
  enrolled.forEach((m, j) => { if (pairedE.has(j)) mark(m, COLOURS.enrolled); });
}

export function MinutiaeCanvas({ finger }: { finger: Finger }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const redraw = () => draw(canvas, finger);
    redraw();
    const ro = new ResizeObserver(redraw);
    if (canvas.parentElement) ro.observe(canvas.parentElement);
    return () => ro.disconnect();
  }, [finger]);
  const label = `Probe finger ${finger.probeIndex + 1} (${finger.probe.minutiae.length} minutiae) on enrolled finger ${finger.sampleId} `
    + `(${finger.enrolled.minutiae.length} minutiae): ${finger.pairs.length} pairs`;
  return (
    <figure class="minutiae">
      <div class="canvas-box"><canvas ref={ref} role="img" aria-label={label} data-testid="minutiae-canvas" data-pairs={finger.pairs.length} /></div>
      <figcaption>
        {label}.{' '}
        <span class="legend"><span class="swatch probe" /> probe <span class="swatch enrolled" /> enrolled <span class="swatch pair" /> paired <span class="swatch unpaired" /> unpaired</span>
        {' '}○ ending, □ bifurcation.
      </figcaption>
      <details>
        <summary>The {finger.pairs.length} pairs as a table</summary>
        <table class="compact">
          <thead><tr><th scope="col">Probe minutia</th><th scope="col">Enrolled minutia</th><th scope="col">Type</th></tr></thead>
          <tbody>{finger.pairs.map(([i, j]) => (
            <tr key={`${i}-${j}`}><td>{i} ({finger.probe.minutiae[i].x.toFixed(0)}, {finger.probe.minutiae[i].y.toFixed(0)})</td>
              <td>{j} ({finger.enrolled.minutiae[j].x.toFixed(0)}, {finger.enrolled.minutiae[j].y.toFixed(0)})</td>
              <td>{finger.probe.minutiae[i].type} / {finger.enrolled.minutiae[j].type}</td></tr>
          ))}</tbody>
        </table>
      </details>
    </figure>
  );
}
