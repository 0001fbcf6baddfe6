/**
 * Every MQTT topic of the contract (../shared/PRODUCT.md "Contracts"), built from the root and the site:
 * `{root}/{site}/status`, `…/{camera}/health`, `…/{camera}/events`, `…/{camera}/events/{eventId}/snapshot`,
 * `…/metrics`, `…/cmd/#` (in) and `…/cmd-result`. `…/{camera}/snapshot` carries a frame asked for by `cmd/snapshot`.
 */
export interface Topics {
  /** `{root}/{site}`: the box's own prefix; commands are accepted only under it. */
  prefix: string;
  status: string;
  metrics: string;
  /** Subscription filter for operator commands. */
  commands: string;
  commandResult: string;
  health(camera: string): string;
  events(camera: string): string;
  eventSnapshot(camera: string, eventId: string): string;
  requestedSnapshot(camera: string): string;
  /** The command name (`event`, `snapshot`, `reload` …) of a topic under this prefix's `cmd/`, else null. */
  commandName(topic: string): string | null;
  /** MQTT 5 response topics a requester may ask for: below `…/cmd-result/`, without wildcards. */
  isResponseTopic(topic: string): boolean;
}

/** The levels the contract names below a site; a site or camera of one of these names would be read as them. */
const LEVEL = {
  status: 'status',
  metrics: 'metrics',
  cmd: 'cmd',
  cmdResult: 'cmd-result',
  health: 'health',
  events: 'events',
  snapshot: 'snapshot',
} as const;

/** Ids that would collide with the contract's topic words (a camera `cmd`: `…/cmd/health` would arrive as a command). */
export const RESERVED_LEVELS: ReadonlySet<string> = new Set(Object.values(LEVEL));

export function buildTopics(root: string, site: string): Topics {
  const prefix = `${checkTopicPart(root, 'topic root', true)}/${checkTopicPart(site, 'site id')}`;
  const cam = (camera: string) => {
    checkTopicPart(camera, 'camera id');
    if (RESERVED_LEVELS.has(camera)) throw new Error(`camera id "${camera}" is reserved: a word of the MQTT topics, expected another id`);
    return `${prefix}/${camera}`;
  };
  const cmdPrefix = `${prefix}/${LEVEL.cmd}/`;
  return {
    prefix,
    status: `${prefix}/${LEVEL.status}`,
    metrics: `${prefix}/${LEVEL.metrics}`,
    commands: `${cmdPrefix}#`,
    commandResult: `${prefix}/${LEVEL.cmdResult}`,
    health: (camera) => `${cam(camera)}/${LEVEL.health}`,
    events: (camera) => `${cam(camera)}/${LEVEL.events}`,
    eventSnapshot: (camera, eventId) => `${cam(camera)}/${LEVEL.events}/${checkTopicPart(eventId, 'event id')}/${LEVEL.snapshot}`,
    requestedSnapshot: (camera) => `${cam(camera)}/${LEVEL.snapshot}`,
    isResponseTopic: (topic) => topic.startsWith(`${prefix}/${LEVEL.cmdResult}/`) && !/[#+\u0000]|\/$/.test(topic),
    commandName: (topic) => (topic.startsWith(cmdPrefix) && topic.length > cmdPrefix.length ? topic.slice(cmdPrefix.length) : null),
  };
}

/** A topic level (or the multi-level root) must not be empty or hold wildcards, else it would publish somewhere unexpected. */
function checkTopicPart(value: string, what: string, multiLevel = false): string {
  const bad = multiLevel ? /[#+\u0000]|^\/|\/$|\/\// : /[#+/\u0000]/;
  if (value.length === 0 || bad.test(value)) {
    const expected = multiLevel
      ? 'levels separated by "/", without "+", "#" or empty levels'
      : 'a single topic level without "/", "+" or "#"';
    throw new Error(`invalid ${what} ${JSON.stringify(value)} for an MQTT topic: expected ${expected}`);
  }
  return value;
}
