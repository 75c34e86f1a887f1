// The protocol module: the one part of src/shared that the relay may import.
export * from './constants.ts';
export * from './content.ts';
export * from './reactions.ts';
export * from './objects.ts';
export * from './frames.ts';
export * from './parse.ts';
export * from './http.ts';
