// The ids scripts and notebooks rely on (DESIGN.md section 6).
import { e1000 } from './drivers/net/e1000.js';
import { pcnet32 } from './drivers/net/pcnet32.js';
import type { DriverModule } from './drivers/types.js';
import { fileTransfer } from './apps/file-transfer.js';
import { networkAnalyzer } from './apps/network-analyzer.js';
import { remoteWindow } from './apps/remote-window.js';
import type { AppModule } from './apps/types.js';
import { native } from './recovery/native.js';
import { restart } from './recovery/restart.js';
import { shadow } from './recovery/shadow.js';
import type { StrategyModule } from './recovery/types.js';

export const DRIVERS: readonly DriverModule[] = [e1000, pcnet32];
export const APPS: readonly AppModule[] = [fileTransfer, remoteWindow, networkAnalyzer];
export const STRATEGIES: readonly StrategyModule[] = [native, restart, shadow];

