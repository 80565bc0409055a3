// Minimal typings for the parts of @sabaki/sgf (untyped) that the tests use as an independent reader.
declare module "@sabaki/sgf" {
  export interface NodeObject {
    id: number;
    data: Record<string, string[]>;
    parentId: number | null;
    children: NodeObject[];
  }
  export function parse(contents: string, options?: Record<string, unknown>): NodeObject[];
  export function stringify(nodes: NodeObject | NodeObject[], options?: Record<string, unknown>): string;
  const sgf: { parse: typeof parse; stringify: typeof stringify };
  export default sgf;
}
