/** Every `delta-sparsity` sub-command, each registered by its own module. */
import { Command } from 'commander';
import { registerBenchCommand } from './bench';
import { registerCostCommand } from './cost';
import { registerDataCommand } from './data';
import { registerTrainCommand } from './train';
import { registerAblateCommand } from './ablate';
import { registerStudyCommand } from './study';
import { registerWorkerCommand } from './worker';

export type RegisterCommand = (program: Command) => void;

export const commandRegistrations: RegisterCommand[] = [];
commandRegistrations.push(registerStudyCommand);
commandRegistrations.push(registerCostCommand);
commandRegistrations.push(registerBenchCommand);
commandRegistrations.push(registerDataCommand);
commandRegistrations.push(registerTrainCommand);
commandRegistrations.push(registerAblateCommand);
commandRegistrations.push(registerWorkerCommand);
