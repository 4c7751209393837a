/* readloop: the floor for reading a pcap with libpcap. Reads every packet with pcap_next_ex, touches it
 * (sums caplen and the first byte), prints packets, seconds and packets/s.
 * Build: cc -O2 -o readloop readloop.c -lpcap      Run: ./readloop FILE.pcap */
#include <pcap/pcap.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv) {
    char err[PCAP_ERRBUF_SIZE];
    if (argc != 2) { fprintf(stderr, "usage: %s FILE.pcap\n", argv[0]); return 2; }
    pcap_t *p = pcap_open_offline(argv[1], err);
    if (!p) { fprintf(stderr, "readloop: %s\n", err); return 1; }
    struct pcap_pkthdr *h; const u_char *data; unsigned long long packets = 0, bytes = 0, touch = 0;
    struct timespec t0, t1; clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) { packets++; bytes += h->caplen; touch += data[0]; }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc == -1) { fprintf(stderr, "readloop: %s\n", pcap_geterr(p)); return 1; }
    double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("packets %llu bytes %llu seconds %.3f packets/s %.0f (check %llu)\n", packets, bytes, s, packets / s, touch);
    pcap_close(p);
    return 0;
}
