// The sound world: kernel, the sound card with its speaker and microphone, the /dev/dsp layer.
import { Kernel } from '../kernel/kernel.js';
import { SoundCore } from '../kernel/soundcore.js';
import type { SoundDevice } from '../devices/sound-io.js';
import type { DriverModule } from '../drivers/types.js';
import type { World } from './world.js';

export interface SoundDriverModule extends DriverModule { cls: 'sound'; createDevice(k: Kernel, irq: number): SoundDevice }

export interface SoundWorld extends World {
  cls: 'sound';
  /** The card the room hears (its speaker list is the one every replica plays into). */
  card: SoundDevice;
  snd: SoundCore;
  core: SoundCore;
}

export const SOUND_IRQ = 5;

export function buildSoundWorld(k: Kernel, driver: SoundDriverModule): SoundWorld {
  const card = driver.createDevice(k, SOUND_IRQ);
  const snd = new SoundCore(k);
  return { k, cls: 'sound', driver, device: card, core: snd, card, snd };
}
