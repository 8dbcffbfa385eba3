// The sound world: kernel, the sound card with its speaker and microphone, the /dev/dsp layer.
import { Kernel } from '../kernel/kernel.js';
import { SoundCore } from '../kernel/soundcore.js';
import type { SoundDevice } from '../devices/sound-io.js';
import type { DriverModule } from '../drivers/types.js';
import type { DeviceModel } from '../devices/device-model.js';
import type { World } from './world.js';
import { young } from '../sim/young.js';

export interface SoundDriverModule extends DriverModule { cls: 'sound'; createDevice(k: Kernel, irq: number): SoundDevice }

export interface SoundWorld extends World {
  cls: 'sound';
  /** The card the room hears (its speaker list is the one every replica plays into). */
  card: SoundDevice;
  snd: SoundCore;
  core: SoundCore;
}

export const SOUND_IRQ = 5;
/** The standby card's line (replication). */
export const STANDBY_SOUND_IRQ = 7;

export function buildSoundWorld(k: Kernel, driver: SoundDriverModule): SoundWorld {
  const card = driver.createDevice(k, SOUND_IRQ);
  const snd = new SoundCore(k);
  const cards = [card];
  // A second card in the same room: it hears what the microphone the app set up hears, and plays
  // into the same speaker, muted until it is put in service.
  const replicaHardware = {
    makeStandby: () => {
      const c = driver.createDevice(k, STANDBY_SOUND_IRQ);
      c.played = card.played;
      c.muted = true;
      c.microphone = young((...a: Parameters<SoundDevice['microphone']>) => card.microphone(...a));
      cards.push(c);
      return c;
    },
    putInService: (d: DeviceModel) => { for (const c of cards) c.muted = c !== d; },
  };
  return { k, cls: 'sound', driver, device: card, core: snd, card, snd, replicaHardware };
}
