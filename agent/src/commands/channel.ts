import { sha256Hex } from '../core/hash.ts';
import type { Logger } from '../core/log.ts';
import { commandResultProperties, snapshotProperties } from '../publish/properties.ts';
import type { OutboundMessage, Publisher } from '../publish/publisher.ts';
import type { Topics } from '../publish/topics.ts';
import type { CommandHandler, CommandReply, IncomingCommand } from './types.ts';

/**
 * The command channel over the box's MQTT session: `…/cmd/#` in, every reply on `…/cmd-result` (and on the
 * requester's MQTT 5 response topic), a requested frame on `…/{camera}/snapshot`.
 */
export function attachCommandChannel(publisher: Publisher, handler: CommandHandler, log?: Logger): Promise<void> {
  const topics = publisher.topics;
  return publisher.serve(topics.commands, async (m) => {
    if (m.responseTopic && m.responseTopic !== topics.commandResult && !topics.isResponseTopic(m.responseTopic)) {
      log?.warn(
        { stage: 'commands', responseTopic: m.responseTopic, expected: `${topics.commandResult}/…` },
        'response topic outside cmd-result/: answered on cmd-result only',
      );
    }
    return replyMessages(topics, m, await handler(m));
  });
}

/** The messages that answer one command. Pure. */
export function replyMessages(topics: Topics, cmd: IncomingCommand, reply: CommandReply): OutboundMessage[] {
  const out: OutboundMessage[] = [];
  if (reply.snapshot) {
    const { camera, jpeg } = reply.snapshot;
    out.push({
      topic: topics.requestedSnapshot(camera),
      payload: jpeg,
      properties: snapshotProperties(camera, undefined, sha256Hex(jpeg)),
    });
  }
  const body = JSON.stringify(reply.result);
  const properties = commandResultProperties(cmd.correlationData);
  out.push({ topic: topics.commandResult, payload: body, properties });
  // A requester must not be able to make the box write over its own status or events.
  if (cmd.responseTopic && cmd.responseTopic !== topics.commandResult && topics.isResponseTopic(cmd.responseTopic)) {
    out.push({ topic: cmd.responseTopic, payload: body, properties });
  }
  return out;
}
