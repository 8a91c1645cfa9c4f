// Two fingers' minutiae on one canvas, the probe turned and moved by the matcher's transform: side by side with the
// pairs it counted joined across, or laid over the enrolled finger; the minutiae it left unpaired in grey. Endings are circles, bifurcations squares,
// the tick is the minutia's direction. A table lists the same pairs for keyboard and screen-reader users.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { FingerComparison } from '../types.ts';

type Finger = FingerComparison['fingers'][number];
const COLOURS = { probe: '#0a58ca', enrolled: '#b45309', pair: '#15803d', unpaired: '#9ca3af' };

interface Mark { x: number; y: number; angle: number; type: string }

export type Layout = 'side' | 'overlay';

function draw(canvas: HTMLCanvasElement, f: Finger, layout: Layout) {
  const { rotation, tx, ty } = f.transform;
  const c = Math.cos(rotation), s = Math.sin(rotation);
  // Probe into the enrolled finger's frame; directions turn opposite to positions (y down, angles CCW).
  const probe: Mark[] = f.probe.minutiae.map((m) => ({ x: c * m.x - s * m.y + tx, y: s * m.x + c * m.y + ty, angle: m.angle - rotation, type: m.type }));
  const enrolled: Mark[] = f.enrolled.minutiae;
  const pad = 16;
  const box = (ms: Mark[]) => ({
    minX: Math.min(...ms.map((m) => m.x)), maxX: Math.max(...ms.map((m) => m.x)),
    minY: Math.min(...ms.map((m) => m.y)), maxY: Math.max(...ms.map((m) => m.y)),
  });
  // Side by side: the aligned probe on the left, the enrolled finger on the right, pairs joined across.
  // Overlay: both in the enrolled finger's frame, pairs joined where they (nearly) coincide.
  const bp = box(layout === 'side' ? probe : [...probe, ...enrolled]), be = layout === 'side' ? box(enrolled) : bp;
  const wp = bp.maxX - bp.minX, we = layout === 'side' ? be.maxX - be.minX : 0;
  const h = Math.max(bp.maxY - bp.minY, be.maxY - be.minY, 1);
  const cssW = canvas.parentElement?.clientWidth ?? 480;
  const gaps = layout === 'side' ? 3 : 2;
  const scale = Math.min((cssW - gaps * pad) / Math.max(1, wp + we), 560 / h, 2.5);
  const cssH = h * scale + 2 * pad;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(cssW * dpr);
  canvas.height = Math.round(cssH * dpr);
  canvas.style.width = `${cssW}px`;
  canvas.style.height = `${cssH}px`;
  const g = canvas.getContext('2d')!;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.fillStyle = '#fff';
  g.fillRect(0, 0, cssW, cssH);
  const at = (b: typeof bp, left: number) => (m: Mark) => ({ x: left + (m.x - b.minX) * scale, y: pad + (m.y - b.minY) * scale });
  const P = at(bp, pad), E = layout === 'side' ? at(be, 2 * pad + wp * scale) : P;
  if (layout === 'side') {
    g.strokeStyle = COLOURS.unpaired;
    g.setLineDash([4, 4]);
    g.beginPath(); g.moveTo(1.5 * pad + wp * scale, 0); g.lineTo(1.5 * pad + wp * scale, cssH); g.stroke();
    g.setLineDash([]);
  }
  const pairedP = new Set(f.pairs.map(([i]) => i)), pairedE = new Set(f.pairs.map(([, j]) => j));
  g.lineWidth = 1.5;
  g.strokeStyle = COLOURS.pair;
  for (const [i, j] of f.pairs) {
    const a = P(probe[i]), b = E(enrolled[j]);
    g.beginPath();
    g.moveTo(a.x, a.y);
    g.lineTo(b.x, b.y);
    g.stroke();
    if (layout === 'overlay') { g.beginPath(); g.arc(b.x, b.y, 8, 0, 2 * Math.PI); g.stroke(); }
  }
  const mark = (p: { x: number; y: number }, m: Mark, colour: string) => {
    const r = 4;
    g.strokeStyle = colour;
    g.lineWidth = 1.6;
    g.beginPath();
    if (m.type === 'bifurcation') g.rect(p.x - r, p.y - r, 2 * r, 2 * r);
    else g.arc(p.x, p.y, r, 0, 2 * Math.PI);
    g.moveTo(p.x + r * Math.cos(m.angle), p.y - r * Math.sin(m.angle));
    g.lineTo(p.x + 14 * Math.cos(m.angle), p.y - 14 * Math.sin(m.angle));
    g.stroke();
  };
  probe.forEach((m, i) => { if (!pairedP.has(i)) mark(P(m), m, COLOURS.unpaired); });
  enrolled.forEach((m, j) => { if (!pairedE.has(j)) mark(E(m), m, COLOURS.unpaired); });
  probe.forEach((m, i) => { if (pairedP.has(i)) mark(P(m), m, COLOURS.probe); });
  enrolled.forEach((m, j) => { if (pairedE.has(j)) mark(E(m), m, COLOURS.enrolled); });
}

export function MinutiaeCanvas({ finger }: { finger: Finger }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [layout, setLayout] = useState<Layout>('side');
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const redraw = () => draw(canvas, finger, layout);
    redraw();
    const ro = new ResizeObserver(redraw);
    if (canvas.parentElement) ro.observe(canvas.parentElement);
    return () => ro.disconnect();
  }, [finger, layout]);
  const label = `Probe finger ${finger.probeIndex + 1} (${finger.probe.minutiae.length} minutiae) on enrolled finger ${finger.sampleId} `
    + `(${finger.enrolled.minutiae.length} minutiae): ${finger.pairs.length} pairs`;
  return (
    <figure class="minutiae">
      <div class="row" role="group" aria-label="Layout">
        <button type="button" aria-pressed={layout === 'side'} onClick={() => setLayout('side')}>Side by side</button>
        <button type="button" aria-pressed={layout === 'overlay'} onClick={() => setLayout('overlay')}>Overlay</button>
      </div>
      <div class="canvas-box"><canvas ref={ref} role="img" aria-label={label} data-testid="minutiae-canvas" data-pairs={finger.pairs.length} data-layout={layout} /></div>
      <figcaption>
        {label}.{' '}
        <span class="legend"><span><span class="swatch probe" /> probe</span> <span><span class="swatch enrolled" /> enrolled</span> <span><span class="swatch pair" /> paired</span> <span><span class="swatch unpaired" /> unpaired</span></span>
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
