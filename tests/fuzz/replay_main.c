/* Replays every file of a fuzz corpus directory through a fuzz target's entry
 * point, so a plain build (no libFuzzer) still checks that no seed crashes. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Corpus files are small by design; larger ones are skipped, not truncated. */
#define REPLAY_MAX_FILE (1024 * 1024)

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 1;
    }
    uint8_t *buf = malloc(REPLAY_MAX_FILE);
    if (buf == NULL) {
        fclose(f);
        return 1;
    }
    size_t n = fread(buf, 1, REPLAY_MAX_FILE, f);
    fclose(f);
    /* Copy into an exact-size allocation so ASan sees reads past the end. */
    uint8_t *exact = malloc(n > 0 ? n : 1);
    if (exact == NULL) {
        free(buf);
        return 1;
    }
    memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (d == NULL) {
        fprintf(stderr, "replay: cannot open corpus %s\n", argv[1]);
        return 1;
    }
    int count = 0;
    int failures = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", argv[1], e->d_name);
        failures += replay_file(path);
        count++;
    }
    closedir(d);
    if (count == 0) {
        fprintf(stderr, "replay: corpus %s is empty\n", argv[1]);
        return 1;
    }
    printf("replayed %d inputs from %s\n", count, argv[1]);
    return failures != 0;
}
