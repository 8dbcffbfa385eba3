// results/REPORT.md: paper and reproduction side by side, with 95% intervals and provenance.
import { pickRuns, PickOptions, Results } from './records.js';
import { table4FromRecords, TABLE4_STRATEGIES, ACTIVE_SHARE } from './table4.js';
import { outcomeMix, logGrowth } from './summaries.js';
import { overheadLines, overheadClassesLines, sensitivityLines, recoveryTimeLines, longRunLines } from './mechanism-sections.js';
import { outcomeTables, logTables, availabilityTables, poisonTables } from './approaches.js';
import { interval, pct } from './stats.js';
import { PAPER } from './paper.js';
import { OUTCOMES } from '../trial/record.js';
import { campaignCategories, nooksHeadline, nativeBreakdown, crashedUnder, crashCause, CategoryRow } from './paper-campaign.js';
import { outcomeBreakdown, formatBreakdown } from './explain.js';
import { figureLines } from './report-figures.js';

const SHORT: Record<string, string> = { correct: 'ok', malfunction: 'malfunction', 'app-failed': 'app-failed', 'system-crash': 'crash' };

/** The run of each experiment under `root` the report uses (see pickRuns: current definition, complete, undamaged). */
export function latestResults(root: string, o?: PickOptions): Map<string, Results> {
  return pickRuns(root, o);
}

function provenanceLine(r: Results): string {
  const m = r.manifest, p = m.provenance;
  return `_Source: \`${r.dir}\` — ${r.records.length} trials, ${m.trialsPerCell} per cell (${m.scale} scale); commit ${p.commit?.slice(0, 10) ?? 'unknown'}${p.dirty ? ' (dirty tree)' : ''}; \`${p.command}\`; finished ${m.finishedAt}${r.note ? `; **another definition than the current one**: ${r.note}` : ''}._`;
}

function table4Section(r: Results): string[] {
  const rows = table4FromRecords(r.records);
  const agree = rows.reduce((n, x) => n + TABLE4_STRATEGIES.filter((s) => x.matches[s]).length, 0);
  const compared = rows.filter((x) => x.faults > 0).length * 3;
  const cell = (x: (typeof rows)[number], s: (typeof TABLE4_STRATEGIES)[number]) => x.faults === 0 ? '—'
    : `${SHORT[x.modal[s].outcome] ?? x.modal[s].outcome} ${interval(x.modal[s].interval)}${x.matches[s] ? '' : ' ≠'}`;
  return [
    '## Table 4: applications with a detected driver failure',
    '',
    `Paper: ${PAPER.table4.text} (Swift et al., OSDI 2004${PAPER.table4.provenance === 'paper' ? '' : `; ${PAPER.table4.provenance}`}). Ours: seeded random faults of persistence ${[...new Set(r.records.map((x) => x.spec.fault?.persistence ?? 'none'))].join(', ')}, kept when isolation detected the failure while the application was at work (first ${pct(ACTIVE_SHARE)} of its fault-free run); the same fault then runs under each strategy. Each cell is our most frequent outcome, its share and 95% Wilson interval; ≠ marks a cell that differs from the paper.`,
    '',
    '| application | driver | faults | paper native / restart / shadow | ours native | ours restart | ours shadow |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((x) => `| ${x.app} | ${x.driver} | ${x.faults} | ${SHORT[x.paper.native]} / ${SHORT[x.paper.restart]} / ${SHORT[x.paper.shadow]} | ${cell(x, 'native')} | ${cell(x, 'restart')} | ${cell(x, 'shadow')} |`),
    '',
    `Cells agreeing with the paper: **${agree} of ${compared}**${compared < rows.length * 3 ? ` (rows without a qualifying fault are not compared; run more trials per cell)` : ''}.`,
    '',
    ...table4Differences(rows),
    provenanceLine(r),
  ];
}

/** Each cell that differs from the paper, explained by what its records say (counted, not written by hand). */
function table4Differences(rows: ReturnType<typeof table4FromRecords>): string[] {
  const out: string[] = [];
  for (const x of rows) {
    for (const s of TABLE4_STRATEGIES) {
      if (x.faults === 0 || x.matches[s]) continue;
      out.push(`- **${x.app} under ${s}**: paper ${SHORT[x.paper[s]]}, ours ${SHORT[x.modal[s].outcome] ?? x.modal[s].outcome} in ${pct(x.modal[s].share)} of ${x.faults}. Records: ${formatBreakdown(outcomeBreakdown(x.records[s]))}.`);
    }
  }
  return out.length ? ['### Why cells differ (from the records)', '', 'For each ≠ cell, its outcomes among the trials, most frequent first, each with how the failure was detected and its commonest reasons (numbers replaced by N):', '', ...out, ''] : [];
}

function paperCampaignSection(r: Results): string[] {
  const head = nooksHeadline(r.records).filter((h) => h.strategy !== 'native');
  const cats = campaignCategories(r.records);
  const cell = (c: CategoryRow | undefined) => (c ? `${c.n} | ${interval(c.automatic)} | ${interval(c.manual)} | ${interval(c.failed)} | ${c.automaticWhenDetected.n ? `${pct(c.automaticWhenDetected.p)} of ${c.automaticWhenDetected.n}` : '—'}` : '— | — | — | — | —');
  const keys = [...new Set(cats.map((c) => `${c.driver}/${c.app}/${c.persistence}/${c.faults}`))];
  return [
    '## The paper\'s fault-injection campaign: recovery categories',
    '',
    'Method (Nooks, SOSP\'03 §5.1): the mutation is made in the *loaded* driver image, so it fires on every execution in that instance and a reload brings a clean copy (persistence `image`); one or five random faults per trial; the same faults (same seed) under native, restart and shadow.',
    '',
    'Categories, defined before any number was looked at. A fault counts when, under native, the application did not end correct (the system crashed, or the application failed, hung or misbehaved). Under a strategy, the fault\'s recovery was *automatic* if the application finished correctly and nobody had to act; *manual* if the system stayed up but the application failed, hung or misbehaved, so a person must restart it; *failed* if the system went down. Faults whose mutation changed nothing under the strategy (its timing differs from native, so the mutated code may not run) are counted as "not reached" and left out of the shares. Activation here is `changed` (the mutated value or operation differed from the original); records also carry `fired`.',
    '',
    '### Nooks headline: faults that crashed native Linux, and the share each strategy kept the system up',
    '',
    'Paper (Nooks, SOSP\'03): 313 of 317 native crashes survived under Nooks (99%); non-fatal failures 512 under native, 212 under Nooks. The paper\'s per-application shares for the shadow campaign were not found in what we could read: those cells show ours only.',
    '',
    '| strategy | faults per trial | native crashes | kept up | paper | non-fatal: native → strategy |',
    '|---|---|---|---|---|---|',
    ...head.map((h) => `| ${h.strategy} | ${h.faults} | ${h.nativeCrashes} | ${interval(h.keptUp)} | ${h.strategy === 'restart' ? '99% (313/317)' : '—'} | ${h.nonFatalNative} → ${h.nonFatalUnder} |`),
    '',
    ...['restart', 'shadow'].flatMap((st) => {
      const down = crashedUnder(r.records, st);
      const causes = new Map<string, number>();
      for (const x of down) causes.set(crashCause(x.reason), (causes.get(crashCause(x.reason)) ?? 0) + 1);
      const detected = down.filter((x) => x.detected !== null).length;
      return down.length ? [`Native crashes that ${st} did not survive (${down.length}, from the records; ${detected} had a detected driver failure first): ${[...causes].sort((p, q) => q[1] - p[1]).map(([c, n]) => `${c} ${n}`).join(', ')}.`, ''] : [];
    }),
    '### How native Linux went down, per driver',
    '',
    'Paper (Nooks, SOSP\'03): interrupt-oriented drivers (e1000, pcnet32) crashed native Linux far more often than process-oriented ones (sb, VFAT), because Linux kills the calling process for an exception in process context instead of panicking. Ours, among native trials whose faults changed something:',
    '',
    '| driver | activated | system crash | by cause | process killed, system up |',
    '|---|---|---|---|---|',
    ...nativeBreakdown(r.records).map((d) => `| ${d.driver} | ${d.activated} | ${interval(d.crashes)} | ${Object.entries(d.crashBy).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c}: ${n}`).join('; ') || '—'} | ${interval(d.processKilled)} |`),
    '',
    '### Per application and driver',
    '',
    'The last column of each strategy is automatic recovery among the faults its isolation *detected*: a recovery strategy can only act on a failure it is told of, and most faults that are not recovered were never detected (see below).',
    '',
    '| driver | application | faults per trial | restart: n | automatic | manual | failed | automatic if detected | shadow: n | automatic | manual | failed | automatic if detected |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...keys.map((k) => {
      const [driver, app, persistence, faults] = k.split('/');
      const of = (s: string) => cats.find((c) => c.driver === driver && c.app === app && c.persistence === persistence && String(c.faults) === faults && c.strategy === s);
      return `| ${driver} | ${app} | ${faults} | ${cell(of('restart'))} | ${cell(of('shadow'))} |`;
    }),
    '',
    ...campaignExplanations(cats),
    provenanceLine(r),
  ];
}

/** Where shadow recovery was not automatic, what the records say (most frequent first). */
function campaignExplanations(cats: readonly CategoryRow[]): string[] {
  const rows = cats.filter((c) => c.strategy === 'shadow' && c.n > 0 && c.automatic.p < 0.5);
  if (rows.length === 0) return [];
  return ['### Where shadow recovery was mostly not automatic (from the records)', '',
    ...rows.map((c) => `- **${c.driver} / ${c.app}, ${c.faults} fault${c.faults > 1 ? 's' : ''}** (automatic ${pct(c.automatic.p)} of ${c.n}): ${formatBreakdown(outcomeBreakdown(c.records.filter((x) => x.outcome !== 'correct' && x.outcome !== 'not-activated')))}.`), ''];
}

function faultInjectionSection(r: Results): string[] {
  const mix = outcomeMix(r.records, ['strategy', 'persistence']);
  const shown = OUTCOMES.filter((o) => o !== 'not-activated' && o !== 'harness-error');
  const cats = campaignCategories(r.records).filter((c) => c.strategy === 'shadow');
  return [
    '## SWIFI campaign: outcome of activated faults',
    '',
    `Random faults in every driver under each of its applications. Shares of activated faults with 95% Wilson intervals. Paper: Nooks recovered 99% of the faults that crashed native Linux (313 of 317; *book*: 332 of 333).`,
    '',
    `| strategy | persistence | n | ${shown.join(' | ')} |`,
    `|---|---|---|${shown.map(() => '---').join('|')}|`,
    ...mix.sort((a, b) => JSON.stringify(a.group).localeCompare(JSON.stringify(b.group))).map((m) => `| ${m.group.strategy} | ${m.group.persistence} | ${m.n} | ${shown.map((o) => interval(m.outcomes[o])).join(' | ')} |`),
    '',
    '### Recovery categories under shadow, per application and persistence',
    '',
    'As defined in the paper-campaign section (among faults that harmed the application natively; automatic, manual, failed), kept apart by persistence: a transient and a deterministic fault are different questions.',
    '',
    '| driver | application | persistence | faults | automatic | manual | failed |',
    '|---|---|---|---|---|---|---|',
    ...cats.map((c) => `| ${c.driver} | ${c.app} | ${c.persistence} | ${c.n} | ${interval(c.automatic)} | ${interval(c.manual)} | ${interval(c.failed)} |`),
    '',
    provenanceLine(r),
  ];
}

function overheadSection(r: Results): string[] {
  return ['## Overhead: fault-free bulk transfers', '', ...overheadLines(r.records), '', provenanceLine(r)];
}

function overheadClassesSection(r: Results): string[] {
  return ['## Overhead: sound and block applications', '', ...overheadClassesLines(r.records), '', provenanceLine(r)];
}

function sensitivitySection(r: Results): string[] {
  return ['## Overhead against the assumed crossing and tap costs', '', ...sensitivityLines(r.records), '', provenanceLine(r)];
}

function longRunSection(r: Results): string[] {
  return ['## Availability measured in one long run', '', ...longRunLines(r.records), '', provenanceLine(r)];
}

function recoveryTimeSection(r: Results): string[] {
  return ['## Recovery time', '', ...recoveryTimeLines(r.records), '', provenanceLine(r)];
}

function logGrowthSection(r: Results): string[] {
  return [
    '## Recovery log against traffic',
    '',
    'The shadow keeps configuration and pending requests only, so its log is bounded by state, not traffic. Replication retains the standby\'s state (and inputs held for it); checkpoint retains an image plus every call since the last checkpoint, so it grows with the traffic rate within an interval.',
    '',
    '| strategy | traffic (KiB) | peak log (bytes) | peak entries |',
    '|---|---|---|---|',
    ...logGrowth(r.records).map((x) => `| ${x.strategy} | ${(x.trafficBytes / 1024).toFixed(0)} | ${x.logPeakBytes} | ${x.logPeakEntries} |`),
    '',
    provenanceLine(r),
  ];
}

function approachesSection(r: Results): string[] {
  return [
    '## Recovery approaches: replication vs checkpoint-restart vs shadow',
    '',
    'Network, sound and block classes (every strategy is modelled in each). Random faults, transient and deterministic, paired seeds across strategies.',
    '',
    ...outcomeTables(r.records),
    ...logTables(r.records, null),
    '### Availability under a fault arrival process',
    '',
    ...availabilityTables(r.records),
    provenanceLine(r),
  ];
}

function poisonSection(r: Results): string[] {
  return ['## Poison requests: skipping the request recovery keeps failing on', '', ...poisonTables(r.records), provenanceLine(r)];
}

const SECTIONS: Record<string, (r: Results) => string[]> = {
  table4: table4Section, 'paper-campaign': paperCampaignSection, 'fault-injection': faultInjectionSection, overhead: overheadSection, 'overhead-classes': overheadClassesSection, 'overhead-sensitivity': sensitivitySection, 'recovery-time': recoveryTimeSection, 'long-run': longRunSection, 'log-growth': logGrowthSection, approaches: approachesSection, 'poison-requests': poisonSection,
};

/** `reportDir`: where the markdown will be written (figure links are relative to it; default the root). */
export function report(root: string, figuresDir?: string, reportDir: string = root, o?: PickOptions): string {
  const results = latestResults(root, o);
  const lines = ['# shadowbench: reproduction report', '',
    'Swift et al., *Recovering Device Drivers* (OSDI 2004), reproduced on a simulated kernel: every outcome below was computed by running driver code with a planted fault under a recovery strategy, and judged by the application\'s own checks. Every record replays with the command in its `replay` field.', ''];
  const commits = [...new Set([...results.values()].map((r) => `${r.manifest.provenance.commit?.slice(0, 10) ?? 'unknown'}${r.manifest.provenance.dirty ? ' (dirty tree)' : ''}`))];
  if (commits.length) lines.push(`Produced from commit ${commits.join(', ')} (each section names its own run).`, '');
  if (figuresDir) lines.push(`Figures: \`${figuresDir}\` (SVG, PNG, and \`figures.html\`).`, '');
  for (const [id, section] of Object.entries(SECTIONS)) {
    const r = results.get(id);
    lines.push(...(r ? [...section(r), ...figureLines(id, r.records, figuresDir, reportDir)] : [`## ${id}`, '', `_No complete results for ${id} under ${root}: run \`npx shadowbench sweep ${id}\`._`]), '');
  }
  return lines.join('\n');
}
