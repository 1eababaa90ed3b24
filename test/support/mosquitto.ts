// The tests' own Mosquitto: the same helper `lifeline bench ingest --own-broker` uses.
export { MOSQUITTO_BINARY, mosquittoInstalled, startOwnMosquitto, type OwnMosquitto } from '../../bench/mosquitto.ts';
