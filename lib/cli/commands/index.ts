/** Every `delta-sparsity` sub-command, each registered by its own module. */
import { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export const commandRegistrations: RegisterCommand[] = [];
