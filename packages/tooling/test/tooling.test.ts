import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, parseWholeNumber, REPO_ROOT } from '../src';

describe('REPO_ROOT', () => {
  it('is the directory of the root package.json, the one that names the workspaces', () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; workspaces: string[] };
    expect(manifest.name).toBe('ping-pong');
    expect(existsSync(path.join(REPO_ROOT, 'packages', 'tooling', 'package.json'))).toBe(true);
  });
});

describe('parseWholeNumber', () => {
  it('is undefined when the option is not given, and the number when it is a whole number in range', () => {
    expect(parseWholeNumber('--count', undefined)).toBeUndefined();
    expect(parseWholeNumber('--count', '1')).toBe(1);
    expect(parseWholeNumber('--port', '65535', { max: 65535 })).toBe(65535);
    expect(parseWholeNumber('--retries', '0', { min: 0 })).toBe(0);
  });

  it.each([
    ['0', {}, '--n "0": must be a whole number of at least 1'],
    ['2.5', {}, '--n "2.5": must be a whole number of at least 1'],
    ['1e3', {}, '--n "1e3": must be a whole number of at least 1'],
    [' 7', {}, '--n " 7": must be a whole number of at least 1'],
    ['', {}, '--n "": must be a whole number of at least 1'],
    ['-1', { min: 0 }, '--n "-1": must be a whole number of at least 0'],
    ['65536', { max: 65535 }, '--n "65536": must be a whole number from 1 to 65535'],
  ])('refuses %p (%p), naming the option and the value', (value, range, problem) => {
    expect(() => parseWholeNumber('--n', value, range)).toThrow(new ConfigError([problem]));
  });
});
