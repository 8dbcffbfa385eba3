/** A spec the user got wrong: the message names the bad value and the valid ones. */
export class SpecError extends Error {}
