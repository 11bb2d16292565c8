#pragma once

#include <stdio.h>

struct client_db;

/* Writes the `tlsgate clients` listing: profiles, then groups and members. */
void cli_clients_list(FILE *out, const struct client_db *db);
