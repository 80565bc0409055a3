// Minimal typings for the parts of @sabaki/gtp (untyped) that the tests use as a GTP client.
declare module "@sabaki/gtp" {
  export interface Response {
    id: number | null;
    content: string;
    error: boolean;
  }
  export class Controller {
    constructor(path: string, args?: string[], spawnOptions?: Record<string, unknown>);
    start(): void;
    stop(timeout?: number): Promise<void>;
    sendCommand(command: { id?: number; name: string; args?: string[] }): Promise<Response>;
  }
  const gtp: { Controller: typeof Controller };
  export default gtp;
}
