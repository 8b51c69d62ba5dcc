package io.simproc.kernel;

/**
 * struct task_io_accounting (include/linux/task_io_accounting.h): what a task's read and write system calls moved
 * (rchar, wchar, syscr, syscw) and the storage I/O it caused — bytes its reads and faults fetched from a device
 * (task_io_account_read() in submit_bio()), bytes of page cache it dirtied (task_io_account_write() in
 * folio_account_dirtied()) and dirty bytes it threw away before writeback (task_io_account_cancelled_write()).
 */
public final class TaskIoAccounting {
    long rchar;
    long wchar;
    long syscr;
    long syscw;
    long readBytes;
    long writeBytes;
    long cancelledWriteBytes;

    public long rchar() {
        return rchar;
    }

    public long wchar() {
        return wchar;
    }

    public long syscr() {
        return syscr;
    }

    public long syscw() {
        return syscw;
    }

    public long readBytes() {
        return readBytes;
    }

    public long writeBytes() {
        return writeBytes;
    }

    public long cancelledWriteBytes() {
        return cancelledWriteBytes;
    }

    /** task_io_accounting_add(): {@code other}'s counts added to these. */
    public void add(TaskIoAccounting other) {
        rchar += other.rchar;
        wchar += other.wchar;
        syscr += other.syscr;
        syscw += other.syscw;
        readBytes += other.readBytes;
        writeBytes += other.writeBytes;
        cancelledWriteBytes += other.cancelledWriteBytes;
    }
}
