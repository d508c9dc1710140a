import { imageRepository, splitImage } from '../src/images';

const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

describe('image references', () => {
  it('splits name, tag and digest; the colon of a registry port is no tag', () => {
    expect(splitImage(`${REGISTRY}/microservice-ping-pong/node:git-0123456789ab`)).toEqual({
      name: `${REGISTRY}/microservice-ping-pong/node`,
      tag: 'git-0123456789ab',
    });
    expect(splitImage('localhost:5000/team/node')).toEqual({ name: 'localhost:5000/team/node' });
    expect(splitImage('localhost:5000/team/node:1.2@sha256:abc')).toEqual({
      name: 'localhost:5000/team/node',
      tag: '1.2',
      digest: 'sha256:abc',
    });
  });

  it('an image names a repository of its own registry only, tagged or pinned by digest', () => {
    expect(imageRepository(`${REGISTRY}/microservice-ping-pong/node:git-0123456789ab`, REGISTRY)).toBe('microservice-ping-pong/node');
    expect(imageRepository('localhost:5000/team/node@sha256:abc', 'localhost:5000')).toBe('team/node');
    expect(imageRepository('public.ecr.aws/nginx/nginx:1.27', REGISTRY)).toBeUndefined();
  });
});
