import { describe, expect, it } from 'vitest';
import { buildTopics } from '../../../agent/src/publish/topics.ts';

describe('buildTopics', () => {
  const t = buildTopics('jifang/v1', 'site-001');

  it('builds every topic of the contract under {root}/{site}', () => {
    expect(t.prefix).toBe('jifang/v1/site-001');
    expect(t.status).toBe('jifang/v1/site-001/status');
    expect(t.metrics).toBe('jifang/v1/site-001/metrics');
    expect(t.commands).toBe('jifang/v1/site-001/cmd/#');
    expect(t.commandResult).toBe('jifang/v1/site-001/cmd-result');
    expect(t.health('cam-1')).toBe('jifang/v1/site-001/cam-1/health');
    expect(t.events('cam-1')).toBe('jifang/v1/site-001/cam-1/events');
    expect(t.eventSnapshot('cam-1', 'evt-42')).toBe('jifang/v1/site-001/cam-1/events/evt-42/snapshot');
    expect(t.requestedSnapshot('cam-1')).toBe('jifang/v1/site-001/cam-1/snapshot');
  });

  it('honours a configured root', () => {
    expect(buildTopics('city/enforcement/v1', 'north').events('c1')).toBe('city/enforcement/v1/north/c1/events');
  });

  it('names the command of a topic under its own prefix only', () => {
    expect(t.commandName('jifang/v1/site-001/cmd/event')).toBe('event');
    expect(t.commandName('jifang/v1/site-001/cmd/reload')).toBe('reload');
    expect(t.commandName('jifang/v1/site-002/cmd/event')).toBeNull();
    expect(t.commandName('jifang/v1/site-001/cmd/')).toBeNull();
    expect(t.commandName('jifang/v1/site-001/cmd-result')).toBeNull();
    expect(t.commandName('jifang/v1/site-0011/cmd/event')).toBeNull();
  });

  it('accepts MQTT 5 response topics only below its own cmd-result/', () => {
    expect(t.isResponseTopic('jifang/v1/site-001/cmd-result/center-7')).toBe(true);
    expect(t.isResponseTopic('jifang/v1/site-001/status')).toBe(false);
    expect(t.isResponseTopic('jifang/v1/site-002/cmd-result/center-7')).toBe(false);
    expect(t.isResponseTopic('jifang/v1/site-001/cmd-result/+')).toBe(false);
    expect(t.isResponseTopic('jifang/v1/site-001/cmd-result/')).toBe(false);
  });

  it('refuses ids that would change the topic structure, naming the id', () => {
    expect(() => buildTopics('jifang/v1', 'a/b')).toThrow(/site id "a\/b".*single topic level/);
    expect(() => buildTopics('jifang/#', 'x')).toThrow(/topic root/);
    expect(() => buildTopics('jifang//v1', 'x')).toThrow(/topic root/);
    expect(() => t.events('cam+1')).toThrow(/camera id "cam\+1"/);
    expect(() => t.eventSnapshot('cam-1', 'e/1')).toThrow(/event id "e\/1"/);
    expect(() => t.eventSnapshot('cam-1', '')).toThrow(/event id ""/);
  });

  it('refuses camera ids that collide with the command topics', () => {
    expect(() => t.health('cmd')).toThrow(/reserved/);
    expect(() => t.events('cmd-result')).toThrow(/reserved/);
  });
});
