// Parameters of the simulated machine, read from data/params.json (each with its source).
import { readFileSync } from 'node:fs';
import { dataFile } from './paths.js';

export interface Params {
  kernelTickUs: number; callBudgetInstructions: number; txWatchdogUs: number; watchdogPeriodUs: number;
  qdiscFrames: number; linkMbps: number; linkPropagationUs: number; nicResetUs: number; nicLinkUpUs: number;
  irqLatencyUs: number; irqJitterUs: number; streamInitialRtoUs: number; streamMaxRtoUs: number; streamMaxRetries: number;
  streamWindowSegments: number; streamSegmentBytes: number; trialDeadlineUs: number;
  maxConsecutiveRecoveries: number; recoveryQuietUs: number; appStartUs: number;
  transientShare: number; transientFireShare: number; maxEventsPerTrial: number; armWindowShare: number;
  instructionNs: number; directCallNs: number; isolatedCrossingNs: number; tapNs: number; stackPacketNs: number;
  copyNsPerByte: number; recoveryStopUs: number; moduleLoadUs: number; syscallNs: number;
  diskAccessUs: number; diskMBps: number; diskFlushUs: number; blockTimeoutUs: number; fsErrorsPanic: number; diskSectors: number;
  fileTransferBytes: number; fileTransferPaceBytesPerSec: number; fileTransferReceive: number;
  failoverUs: number; checkpointIntervalUs: number; checkpointFixedUs: number;
  availDeadlineUs: number; availAppRestartUs: number; availRebootUs: number; availMalfunctionNoticeUs: number;
  nicAutonegJitterUs: number; releaseObjectNs: number; replayCallNs: number; resubmitRequestNs: number; resubmitByteNs: number;
  diskResetUs: number; diskSeekMaxUs: number; diskRotationUs: number; codecResetUs: number; codecLockJitterUs: number;
  nicIrqIntervalUs: number; isolatedPoolBatch: number; streamDelayedAckUs: number;
  serverRequestIntervalUs: number; longRunUs: number; faultArrivalMeanUs: number; monitorPeriodUs: number;
}

const file = dataFile('params.json');

function load(): Params {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { value: number }>;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw)) if (!k.startsWith('_')) out[k] = v.value;
  return out as unknown as Params;
}

/** Defaults are read once; a trial may override any of them through its spec. */
export const DEFAULT_PARAMS: Readonly<Params> = Object.freeze(load());
