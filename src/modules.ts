// The capabilities the service runs with by default, each started after the database is up.
import type { Module } from './service.ts';

export async function defaultModules(): Promise<Module[]> {
  return [];
}
