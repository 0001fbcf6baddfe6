import type { CommandResult } from '../contract/commands.ts';

/** A message received on the command subscription, as the transport hands it over. */
export interface IncomingCommand {
  topic: string;
  payload: Buffer;
  /** MQTT 5 request/response: where the requester also wants the reply, with its correlation data. */
  responseTopic?: string;
  correlationData?: Buffer;
}

export interface CommandReply {
  result: CommandResult;
  /** For `cmd/snapshot`: the frame to publish on `…/{camera}/snapshot`. */
  snapshot?: { camera: string; jpeg: Buffer };
}

export type CommandHandler = (cmd: IncomingCommand) => Promise<CommandReply>;
