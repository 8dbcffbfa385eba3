// The ids scripts and notebooks rely on (DESIGN.md section 6).
import { e1000 } from './drivers/net/e1000.js';
import { pcnet32 } from './drivers/net/pcnet32.js';
import { audigy } from './drivers/sound/audigy.js';
import { sb16 } from './drivers/sound/sb16.js';
import { ideDisk } from './drivers/block/ide-disk.js';
import { ahci } from './drivers/block/ahci.js';
import { compiler } from './apps/block/compiler.js';
import { encoder } from './apps/block/encoder.js';
import { database } from './apps/block/database.js';
import { mp3Player } from './apps/sound/mp3-player.js';
import { audioRecorder } from './apps/sound/audio-recorder.js';
import { speechSynthesizer } from './apps/sound/speech-synthesizer.js';
import { strategyGame } from './apps/sound/strategy-game.js';
import type { DriverModule } from './drivers/types.js';
import { fileTransfer } from './apps/net/file-transfer.js';
import { networkAnalyzer } from './apps/net/network-analyzer.js';
import { requestServer } from './apps/net/request-server.js';
import { remoteWindow } from './apps/net/remote-window.js';
import type { AppModule } from './apps/types.js';
import { native } from './recovery/native.js';
import { restart } from './recovery/restart.js';
import { shadow, shadowSkip } from './recovery/shadow/strategy.js';
import { replication } from './recovery/replication/strategy.js';
import { checkpoint } from './recovery/checkpoint/strategy.js';
import type { StrategyModule } from './recovery/types.js';

export const DRIVERS: readonly DriverModule[] = [e1000, pcnet32, audigy, sb16, ideDisk, ahci];
export const APPS: readonly AppModule[] = [mp3Player, audioRecorder, speechSynthesizer, strategyGame, fileTransfer, remoteWindow, networkAnalyzer, compiler, encoder, database, requestServer];
export const STRATEGIES: readonly StrategyModule[] = [native, restart, shadow, shadowSkip, replication, checkpoint];

