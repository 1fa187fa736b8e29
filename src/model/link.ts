/** Link functions by name: artifacts record the name, never code; an unknown name is a load error. */
export const links = {
  sigmoid: (margin: number): number => 1 / (1 + Math.exp(-margin)),
  identity: (margin: number): number => margin,
} as const;

export type LinkName = keyof typeof links;

export function isLinkName(name: unknown): name is LinkName {
  return typeof name === 'string' && Object.hasOwn(links, name);
}
