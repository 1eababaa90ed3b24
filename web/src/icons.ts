// Node symbols drawn on a canvas the first time the map needs one (the style has no sprite, so
// the map fetches nothing but our API). Image ids are `<shape>:<network>`, the shape by asset type.
import type { ExpressionSpecification } from 'maplibre-gl';
import { NETWORK_COLORS } from './colors.ts';
import type { NetworkKind } from './api.ts';

export type NodeShape = 'square' | 'triangle' | 'diamond' | 'circle' | 'dot';

const SHAPE_OF_TYPE: Record<Exclude<NodeShape, 'circle'>, string[]> = {
  square: ['regulator_station', 'gate_station', 'storage_station', 'pump_station', 'pump', 'treatment_plant', 'substation', 'tank', 'reservoir', 'monitoring_station'],
  triangle: ['outfall', 'gate', 'portal'],
  diamond: ['valve', 'hydrant', 'meter'],
  dot: ['junction', 'service_connection', 'end_cap', 'pier', 'monitoring_point'],
};

export function shapeOf(assetType: string): NodeShape {
  for (const [shape, types] of Object.entries(SHAPE_OF_TYPE)) if (types.includes(assetType)) return shape as NodeShape;
  return 'circle';
}

/** `shape` of a tile feature by its `assetType`, as a style expression. */
export const NODE_SHAPE = [
  'match',
  ['get', 'assetType'],
  ...Object.entries(SHAPE_OF_TYPE).flatMap(([shape, types]) => [types, shape]),
  'circle',
] as unknown as ExpressionSpecification;

const SIZE = 28;

/** The RGBA image of `<shape>:<network>` at pixel ratio 2, or null for an unknown id. */
export function nodeIcon(id: string): { width: number; height: number; data: Uint8ClampedArray } | null {
  const [shape, network] = id.split(':') as [NodeShape, NetworkKind];
  const fill = NETWORK_COLORS[network];
  if (!fill || !['square', 'triangle', 'diamond', 'circle', 'dot'].includes(shape)) return null;
  const canvas = document.createElement('canvas');
  canvas.width = SIZE;
  canvas.height = SIZE;
  const g = canvas.getContext('2d');
  if (!g) return null;
  const c = SIZE / 2;
  g.beginPath();
  switch (shape) {
    case 'square':
      g.rect(4, 4, SIZE - 8, SIZE - 8);
      break;
    case 'triangle':
      g.moveTo(c, 3);
      g.lineTo(SIZE - 3, SIZE - 5);
      g.lineTo(3, SIZE - 5);
      g.closePath();
      break;
    case 'diamond':
      g.moveTo(c, 3);
      g.lineTo(SIZE - 3, c);
      g.lineTo(c, SIZE - 3);
      g.lineTo(3, c);
      g.closePath();
      break;
    case 'circle':
      g.arc(c, c, 9, 0, 2 * Math.PI);
      break;
    case 'dot':
      g.arc(c, c, 5, 0, 2 * Math.PI);
      break;
  }
  g.fillStyle = fill;
  g.fill();
  g.lineWidth = 3;
  g.strokeStyle = '#0d1620';
  g.stroke();
  const { data } = g.getImageData(0, 0, SIZE, SIZE);
  return { width: SIZE, height: SIZE, data };
}
