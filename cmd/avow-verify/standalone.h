/*
 * standalone.h - avow-verify's modes that need no log.
 */
#ifndef AVOW_CMD_STANDALONE_H
#define AVOW_CMD_STANDALONE_H

extern const char usage_inclusion[], usage_consistency[], usage_evidence[];

/* avow-verify inclusion|consistency|evidence ...: argv[0] is the mode.
 * Each returns the exit status. */
int inclusion_main(int argc, char **argv);
int consistency_main(int argc, char **argv);
int evidence_main(int argc, char **argv);

#endif
