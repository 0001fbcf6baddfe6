import type { EventRow } from '../wire.ts';
import { num, numOrNull, type Row, strOrNull } from './db.ts';
import { EVENT_HEAD_COLUMNS, eventHead } from './event-head.ts';
import type { ActionRow, DeadLetterRow, DeliveryRow } from './types.ts';

export const DEAD_LETTER_COLUMNS = 'id, topic, bytes, error, code, received_at, replayed_at, replay_error';

export const EVENT_COLUMNS = `${EVENT_HEAD_COLUMNS}, state, seq, started_at, observed_at, ended_at, dwell_seconds, lon, lat, address, first_snapshot, last_snapshot, cleared_snapshot, operator_action, operator_by, operator_unit, operator_at, dispatched_at, first_seen, rev, changed_at, plate, rule_id`;

export function eventRow(r: Row): EventRow {
  return {
    ...eventHead(r),
    state: String(r.state),
    seq: num(r.seq),
    startedAt: num(r.started_at),
    observedAt: num(r.observed_at),
    endedAt: numOrNull(r.ended_at),
    dwellSeconds: num(r.dwell_seconds),
    lon: num(r.lon),
    lat: num(r.lat),
    address: strOrNull(r.address),
    firstSnapshot: strOrNull(r.first_snapshot),
    lastSnapshot: strOrNull(r.last_snapshot),
    clearedSnapshot: strOrNull(r.cleared_snapshot),
    operatorAction: strOrNull(r.operator_action),
    operatorBy: strOrNull(r.operator_by),
    operatorUnit: strOrNull(r.operator_unit),
    operatorAt: numOrNull(r.operator_at),
    dispatchedAt: numOrNull(r.dispatched_at),
    firstSeen: num(r.first_seen),
    rev: num(r.rev),
    changedAt: num(r.changed_at),
    plate: strOrNull(r.plate),
    rule: strOrNull(r.rule_id),
  };
}

export function actionRow(r: Row): ActionRow {
  return {
    requestId: String(r.request_id),
    eventId: String(r.event_id),
    site: String(r.site),
    action: String(r.action),
    by: String(r.by_user),
    role: strOrNull(r.role),
    unit: strOrNull(r.unit),
    note: strOrNull(r.note),
    requestedAt: num(r.requested_at),
    result: String(r.result) as ActionRow['result'],
    error: strOrNull(r.error),
    answeredAt: numOrNull(r.answered_at),
  };
}

export function deliveryRow(r: Row): DeliveryRow {
  return {
    forwarder: String(r.forwarder),
    eventId: String(r.event_id),
    seq: num(r.seq),
    state: String(r.state) as DeliveryRow['state'],
    attempts: num(r.attempts),
    nextAt: num(r.next_at),
    lastError: strOrNull(r.last_error),
    lastStatus: numOrNull(r.last_status),
    deliveredAt: numOrNull(r.delivered_at),
    createdAt: num(r.created_at),
  };
}

export function deadLetterRow(r: Row): DeadLetterRow {
  return {
    id: num(r.id),
    topic: String(r.topic),
    bytes: num(r.bytes),
    error: String(r.error),
    code: strOrNull(r.code),
    receivedAt: num(r.received_at),
    replayedAt: numOrNull(r.replayed_at),
    replayError: strOrNull(r.replay_error),
  };
}
