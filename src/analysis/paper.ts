// The paper's reported numbers (data/paper.json), each with its provenance.
import { readFileSync } from 'node:fs';
import { dataFile } from '../paths.js';

const file = dataFile('paper.json');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const PAPER: any = JSON.parse(readFileSync(file, 'utf8'));
