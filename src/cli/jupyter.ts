// `shadowbench jupyter`: Debian's classic Jupyter Notebook in notebooks/, with the project's own
// tslab kernelspec (absolute path to node_modules/.bin/tslab) written under .jupyter/ in the
// project and found through JUPYTER_PATH: nothing goes to the user's home, nothing is installed.
// plotly.js is served from node_modules as /static/plotly.min.js so figures in the classic
// notebook become interactive (the notebooks themselves only carry a PNG and the figure's JSON).
import type { Argv } from 'yargs';
import { spawn, spawnSync } from 'node:child_process';
import { dirname, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../paths.js';
import { NOTEBOOKS_DIR, writeKernelSpec } from '../analysis/notebooks.js';
import { plotlyPath } from '../analysis/render.js';
import { UsageError, fail } from './errors.js';

export const PROJECT_JUPYTER_DIR = fileURLToPath(new URL('.jupyter/', REPO_ROOT));
const NOTEBOOK_BIN = ['/usr/bin/python3', '-m', 'notebook'];

export function notebookServerAvailable(): boolean {
  return spawnSync(NOTEBOOK_BIN[0], ['-c', 'import notebook'], { encoding: 'utf8' }).status === 0;
}

export interface ServerOptions { port?: number; ip?: string; token?: string; open?: boolean }

/** The environment and argv that start the server (exported for the test, which starts it itself). */
export function serverCommand(o: ServerOptions): { argv: string[]; env: NodeJS.ProcessEnv; cwd: string } {
  const data = writeKernelSpec(PROJECT_JUPYTER_DIR);
  const env = { ...process.env, JUPYTER_PATH: [data, process.env.JUPYTER_PATH].filter(Boolean).join(delimiter) };
  const argv = [...NOTEBOOK_BIN.slice(1), `--notebook-dir=${NOTEBOOKS_DIR}`, `--ip=${o.ip ?? '127.0.0.1'}`,
    `--NotebookApp.extra_static_paths=${dirname(plotlyPath())}`, `--MappingKernelManager.default_kernel_name=tslab`,
    // Containers often run as root; the server refuses to unless told.
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    ...(o.port !== undefined ? [`--port=${o.port}`, '--port-retries=0'] : []),
    ...(o.token !== undefined ? [`--NotebookApp.token=${o.token}`] : []),
    ...(o.open === false ? ['--no-browser'] : [])];
  return { argv, env, cwd: NOTEBOOKS_DIR };
}

export function jupyterCommand(y: Argv): Argv {
  return y.command('jupyter', 'open the notebooks in Jupyter Notebook (Debian\'s), with the project\'s TypeScript (tslab) kernel',
    (a) => a
      .option('port', { type: 'number', describe: 'port to listen on (default: 8888 or the next free one)' })
      .option('ip', { type: 'string', default: '127.0.0.1', describe: 'address to listen on' })
      .option('browser', { type: 'boolean', default: true, describe: 'open a browser (--no-browser on a remote machine)' })
      .option('kernelspec-only', { type: 'boolean', default: false, describe: 'write the kernelspec under .jupyter/ and print the JUPYTER_PATH to use, then exit' }),
    (argv) => {
      try {
        if (argv['kernelspec-only']) { const { env } = serverCommand({}); console.log(`export JUPYTER_PATH=${env.JUPYTER_PATH}`); return; }
        if (!notebookServerAvailable()) throw new UsageError('Jupyter Notebook is not installed: scripts/install.sh installs it (apt-get install jupyter-notebook)');
        const { argv: args, env, cwd } = serverCommand({ port: argv.port, ip: argv.ip, open: argv.browser });
        console.error(`Jupyter Notebook in ${cwd} with the tslab kernel (${PROJECT_JUPYTER_DIR}kernels/tslab); Ctrl-C stops it`);
        const child = spawn(NOTEBOOK_BIN[0], args, { env, cwd, stdio: 'inherit' });
        // Ctrl-C reaches the server directly (same process group; it asks before stopping): do not add a second one.
        process.on('SIGINT', () => {});
        process.on('SIGTERM', () => child.kill('SIGTERM'));
        child.on('exit', (code) => process.exit(code ?? 0));
      } catch (e) { fail(e); }
    });
}
